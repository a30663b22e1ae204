// PublicHostIdentity+Verify: HIP_SIGNATURE / HIP_SIGNATURE_2 verification (RFC 7401 §5.2.14–15).

extension PublicHostIdentity {
    /// Whether `signature` (the HIP_SIGNATURE Signature field) is this identity's signature over `data` (the
    /// covered region from HIPWire's `coveredRegion`). A signature of the wrong length, another algorithm's
    /// signature or any decoding failure is simply `false`. Thread-safe.
    public func verify(signature: [UInt8], over data: [UInt8]) -> Bool {
        scheme.verify(signature: signature, over: data)
    }

    /// The length of this identity's signatures in bytes.
    public var signatureLength: Int { scheme.signatureLength }
}

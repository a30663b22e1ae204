// SignatureScheme: HIP_SIGNATURE / HIP_SIGNATURE_2 signature encodings (RFC 7401 §5.2.14, RFC 9374), and the
// public keys that verify them.
//
//   RSA:    RSASSA-PSS (RFC 8017) with SHA-256, MGF1-SHA-256, salt 32 bytes; signature = modulus length.
//           Verification accepts any salt length (RSA_PSS_SALTLEN_AUTO): RFC 7401 does not fix the salt,
//           and PSS security does not depend on the verifier insisting on one.
//   ECDSA:  r | s, each left-padded to the field length (RFC 6090/4754). Hash: SHA-384 for P-256 and P-384
//           alike [U4]: ECDSA HIs have HIT suite 2, whose hash is SHA-384, and both cutehip and the OpenHIP
//           fork hash ECDSA signatures with SHA-384 on every curve.
//   Ed25519: PureEdDSA over the message (RFC 8032 §5.1.6), 64 bytes.
//
// RSA and ECDSA go through libcrypto (EVPKey+Signature.swift), Ed25519 through libsodium (Ed25519.swift).
// The signing side is SigningKey.swift.
import COpenSSL

/// A public host identity key together with its signature encoding. Immutable and Sendable: verify from any
/// thread (each libcrypto verification uses its own context).
enum SignatureScheme: Sendable {
    case rsaPSS(EVPKey, modulusLength: Int)
    case ecdsa(EVPKey, ECCurve)
    case ed25519(Ed25519.PublicKey)

    /// The HIP_SIGNATURE length in bytes.
    var signatureLength: Int {
        switch self {
        case .rsaPSS(_, let modulusLength): modulusLength
        case .ecdsa(_, let curve): 2 * curve.coordinateLength
        case .ed25519: ProtocolConstants.ed25519SignatureLength
        }
    }

    /// Whether `signature` is this key's signature over `data`. Never throws: every failure, including a
    /// wrong length or an undecodable signature, is "does not verify".
    func verify(signature: [UInt8], over data: [UInt8]) -> Bool {
        guard signature.count == signatureLength else { return false }
        switch self {
        case .rsaPSS(let key, _):
            return key.digestVerify(signature, over: data, digest: .sha256,
                                    padding: .pss(saltLength: RSA_PSS_SALTLEN_AUTO))
        case .ecdsa(let key, let curve):
            guard let der = Self.derSignature(raw: signature, coordinateLength: curve.coordinateLength) else {
                return false
            }
            return key.digestVerify(der, over: data, digest: .sha384, padding: .none)
        case .ed25519(let key):
            return key.isValidSignature(signature, for: data)
        }
    }

    /// DER ECDSA-Sig-Value from r | s; nil if the halves do not fit.
    static func derSignature(raw: [UInt8], coordinateLength: Int) -> [UInt8]? {
        guard raw.count == 2 * coordinateLength, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = BN_bin2bn(raw, Int32(coordinateLength), nil) else { return nil }
        guard let s = raw.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + coordinateLength,
                                                              Int32(coordinateLength), nil) })
        else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// r | s (each padded to `coordinateLength`) from a DER ECDSA-Sig-Value; nil if it does not decode.
    static func rawSignature(der: [UInt8], coordinateLength: Int) -> [UInt8]? {
        let decoded = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let decoded else { return nil }
        defer { ECDSA_SIG_free(decoded) }
        guard let r = ECDSA_SIG_get0_r(decoded), let s = ECDSA_SIG_get0_s(decoded) else { return nil }
        var raw = [UInt8](repeating: 0, count: 2 * coordinateLength)
        let ok = raw.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(r, buffer.baseAddress, Int32(coordinateLength)) == Int32(coordinateLength)
                && BN_bn2binpad(s, buffer.baseAddress! + coordinateLength,
                                Int32(coordinateLength)) == Int32(coordinateLength)
        }
        return ok ? raw : nil
    }
}

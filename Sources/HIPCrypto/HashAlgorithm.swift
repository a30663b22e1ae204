// HashAlgorithm: the RHASH functions of the HIT suites (RFC 7401 §5.2.10) and their libcrypto digests.
import COpenSSL

/// A hash function used as RHASH (puzzle, HIP_MAC, HKDF) and for signatures. Pure; call from anywhere.
public enum HashAlgorithm: Sendable {
    case sha1, sha256, sha384

    /// Output length in bytes (RHASH_len / 8): 20, 32, 48.
    public var digestLength: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        }
    }

    /// The digest of `data`.
    public func digest(_ data: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: digestLength)
        let ok = withContiguousBytes(data) { input in
            output.withUnsafeMutableBytes { out in
                digest(input, into: out)
            }
        }
        precondition(ok, "EVP_Digest(\(self)) failed: \(LibCrypto.drainErrors())")
        return output
    }

    /// Hashes `input` into `output` (at least `digestLength` bytes); false only if libcrypto fails.
    func digest(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        var dummy: UInt8 = 0
        return withUnsafeMutablePointer(to: &dummy) { empty in
            EVP_Digest(input.baseAddress ?? UnsafeRawPointer(empty), input.count,
                       output.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, evpMD, nil) == 1
        }
    }

    /// libcrypto's static digest (no fetch per call).
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        }
    }

    /// The digest name for OSSL_PARAM-configured operations (HKDF).
    var name: String {
        switch self {
        case .sha1: "SHA1"
        case .sha256: "SHA256"
        case .sha384: "SHA384"
        }
    }
}

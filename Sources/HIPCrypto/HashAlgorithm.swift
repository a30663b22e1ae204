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

    /// The digest implementation, fetched from the default provider once per process (OpenSSL 3 would
    /// otherwise look it up again on every EVP_sha256()-style call).
    var evpMD: OpaquePointer {
        switch self {
        case .sha1: FetchedDigests.shared.sha1
        case .sha256: FetchedDigests.shared.sha256
        case .sha384: FetchedDigests.shared.sha384
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

/// The explicitly fetched EVP_MDs, kept for the life of the process (never freed). Immutable after init;
/// libcrypto allows a fetched EVP_MD to be used from any thread.
private final class FetchedDigests: @unchecked Sendable {
    static let shared = FetchedDigests()

    let sha1: OpaquePointer
    let sha256: OpaquePointer
    let sha384: OpaquePointer

    private init() {
        func fetch(_ name: String, fallback: OpaquePointer) -> OpaquePointer {
            if let digest = EVP_MD_fetch(nil, name, nil) { return digest }
            _ = LibCrypto.drainErrors()
            return fallback
        }
        sha1 = fetch("SHA1", fallback: EVP_sha1())
        sha256 = fetch("SHA256", fallback: EVP_sha256())
        sha384 = fetch("SHA384", fallback: EVP_sha384())
    }
}

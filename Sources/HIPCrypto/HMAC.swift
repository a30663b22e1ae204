// HMAC (RFC 2104) over the suite hashes: HIP_MAC, HIP_MAC_2, RVS_HMAC and RELAY_HMAC (RFC 7401 §5.2.12–13).
import COpenSSL

/// HMAC-SHA-1/256/384 through libcrypto's one-shot HMAC(). Pure; call from anywhere. Compare MACs with
/// `constantTimeEquals`.
public enum HMAC {
    /// HMAC(`key`, `data`) with the full digest length (HIP does not truncate HIP_MAC).
    public static func authenticate(_ hash: HashAlgorithm, key: SecretBytes, data: some Collection<UInt8>) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hash.digestLength)
        let ok = key.withUnsafeBytes { keyBytes in
            withContiguousBytes(data) { input in
                authenticate(hash, key: keyBytes, data: input, into: &output)
            }
        }
        precondition(ok, "HMAC(\(hash)) failed: \(LibCrypto.drainErrors())")
        return output
    }

    /// HMAC into `output` (exactly `hash.digestLength` bytes); false only if libcrypto fails.
    static func authenticate(
        _ hash: HashAlgorithm, key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer, into output: inout [UInt8]
    ) -> Bool {
        var dummy: UInt8 = 0
        var length: UInt32 = 0
        let result = withUnsafeMutablePointer(to: &dummy) { empty in
            output.withUnsafeMutableBufferPointer { out in
                COpenSSL.HMAC(hash.evpMD, key.baseAddress ?? UnsafeRawPointer(empty), Int32(key.count),
                              data.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(empty), data.count,
                              out.baseAddress, &length)
            }
        }
        return result != nil && Int(length) == hash.digestLength
    }
}

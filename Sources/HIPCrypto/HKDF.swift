// HKDF (RFC 5869) extract-and-expand, through libcrypto's EVP_KDF "HKDF". Used by Keymat.
import COpenSSL

enum HKDF {
    /// Fills `output` with HKDF(`hash`, IKM, salt, info); false if libcrypto fails (or output exceeds
    /// 255 × hash length).
    static func derive(
        _ hash: HashAlgorithm, ikm: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8],
        into output: UnsafeMutableRawBufferPointer
    ) -> Bool {
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { return false }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { return false }
        defer { EVP_KDF_CTX_free(context) }
        let parameters = salt.withUnsafeBytes { saltBytes in
            info.withUnsafeBytes { infoBytes in
                try? ParameterSet([
                    (OSSL_KDF_PARAM_DIGEST, .utf8(hash.name)),
                    (OSSL_KDF_PARAM_KEY, .octets(ikm)),
                    (OSSL_KDF_PARAM_SALT, .octets(saltBytes)),
                    (OSSL_KDF_PARAM_INFO, .octets(infoBytes)),
                ])
            }
        }
        guard let parameters,
              EVP_KDF_derive(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), output.count,
                             parameters.pointer) == 1
        else {
            _ = LibCrypto.drainErrors()
            return false
        }
        return true
    }
}

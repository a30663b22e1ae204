// ESPCipherContext: one keyed EVP_CIPHER_CTX for an ESP SA direction (swift-linux-notes §1: fetch the
// cipher once and schedule the key once; per packet only the IV is set).
import COpenSSL

/// Owner of an EVP_CIPHER_CTX with its key schedule; freed (and the schedule wiped) in deinit.
/// Not thread-safe: owned by one ESPSealer or ESPOpener.
final class ESPCipherContext {
    let pointer: OpaquePointer
    let encrypting: Bool

    /// Fetches `algorithm` (e.g. "AES-128-GCM"), schedules `key`, and turns block padding off
    /// (ESP pads itself).
    init(algorithm: String, key: UnsafeRawBufferPointer, encrypting: Bool) throws(CryptoError) {
        guard let cipher = EVP_CIPHER_fetch(nil, algorithm, nil) else {
            throw LibCrypto.failure("EVP_CIPHER_fetch(\(algorithm))")
        }
        defer { EVP_CIPHER_free(cipher) }
        guard key.count == Int(EVP_CIPHER_get_key_length(cipher)), let keyBase = key.baseAddress else {
            throw .invalidKeyLength(algorithm, expected: Int(EVP_CIPHER_get_key_length(cipher)), actual: key.count)
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("EVP_CIPHER_CTX_new") }
        let bytes = keyBase.assumingMemoryBound(to: UInt8.self)
        let initialised = encrypting
            ? EVP_EncryptInit_ex2(context, cipher, bytes, nil, nil)
            : EVP_DecryptInit_ex2(context, cipher, bytes, nil, nil)
        guard initialised == 1, EVP_CIPHER_CTX_set_padding(context, 0) == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw LibCrypto.failure("EVP cipher init (\(algorithm))")
        }
        pointer = context
        self.encrypting = encrypting
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }

    /// Sets the IV (or GCM nonce) for the next packet, keeping the key schedule.
    @inline(__always)
    func setIV(_ iv: UnsafePointer<UInt8>) throws(ESPError) {
        let result = encrypting
            ? EVP_EncryptInit_ex2(pointer, nil, nil, iv, nil)
            : EVP_DecryptInit_ex2(pointer, nil, nil, iv, nil)
        guard result == 1 else { throw .library }
    }

    /// Feeds GCM additional authenticated data.
    @inline(__always)
    func addAAD(_ aad: UnsafePointer<UInt8>, count: Int) throws(ESPError) {
        var written: Int32 = 0
        let result = encrypting
            ? EVP_EncryptUpdate(pointer, nil, &written, aad, Int32(count))
            : EVP_DecryptUpdate(pointer, nil, &written, aad, Int32(count))
        guard result == 1 else { throw .library }
    }

    /// Encrypts or decrypts `count` bytes in place (a whole number of blocks for CBC/ECB).
    @inline(__always)
    func transform(_ bytes: UnsafeMutablePointer<UInt8>, count: Int) throws(ESPError) {
        guard count > 0 else { return }
        var written: Int32 = 0
        let result = encrypting
            ? EVP_EncryptUpdate(pointer, bytes, &written, bytes, Int32(count))
            : EVP_DecryptUpdate(pointer, bytes, &written, bytes, Int32(count))
        guard result == 1, Int(written) == count else { throw .library }
    }

    /// Encrypts one block from `input` to `output` (AES-ECB IV derivation).
    @inline(__always)
    func encryptBlock(_ input: UnsafePointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) throws(ESPError) {
        var written: Int32 = 0
        guard EVP_EncryptUpdate(pointer, output, &written, input, 16) == 1, written == 16 else { throw .library }
    }

    /// GCM seal: finishes and writes the 16-byte tag.
    @inline(__always)
    func finishSeal(tag: UnsafeMutableRawPointer) throws(ESPError) {
        var written: Int32 = 0
        var scratch: UInt8 = 0
        guard EVP_EncryptFinal_ex(pointer, &scratch, &written) == 1,
              EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1 else { throw .library }
    }

    /// GCM open: checks the 16-byte tag (constant time inside libcrypto); false when it does not verify.
    @inline(__always)
    func finishOpen(tag: UnsafeMutableRawPointer) -> Bool {
        var written: Int32 = 0
        var scratch: UInt8 = 0
        guard EVP_CIPHER_CTX_ctrl(pointer, EVP_CTRL_AEAD_SET_TAG, 16, tag) == 1 else { return false }
        return EVP_DecryptFinal_ex(pointer, &scratch, &written) == 1
    }
}

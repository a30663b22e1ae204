// HIPCipher: the ENCRYPTED parameter body (RFC 7401 §5.2.18).
//
//   ENCRYPTED contents:  Reserved (4, added by HIPWire) | IV (HIPCipherID.ivLength) | Encrypted data
//   Encrypted data:      AES-CBC( plaintext | PKCS#5 padding ), padding = n bytes of value n, 1 ≤ n ≤ 16
//   NULL-ENCRYPT:        body = plaintext (no IV, no padding)
//
// The body handled here is "IV | Encrypted data". The padding is checked in constant time after decrypting
// with libcrypto's padding disabled, and every padding failure is the same `.badPadding` error (nothing else
// about the plaintext is revealed; ENCRYPTED is also covered by HIP_MAC, which is checked first).
import COpenSSL

/// ENCRYPTED body encryption and decryption. Pure (apart from the random IV of `encrypt(_:key:plaintext:)`);
/// call from anywhere.
public enum HIPCipher {
    /// Encrypts with a fresh random IV (AES-CBC) and returns IV | ciphertext.
    public static func encrypt(_ id: HIPCipherID, key: SecretBytes, plaintext: [UInt8]) throws(CryptoError) -> [UInt8] {
        try encrypt(id, key: key, iv: SystemRandom.bytes(id.ivLength), plaintext: plaintext)
    }

    /// Encrypts with the given IV (`id.ivLength` bytes, from the caller's random source) and returns
    /// IV | ciphertext. For callers that inject randomness, and for known-answer tests.
    public static func encrypt(
        _ id: HIPCipherID, key: SecretBytes, iv: [UInt8], plaintext: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        try checkKey(id, key)
        guard iv.count == id.ivLength else {
            throw .malformedCiphertext("IV of \(iv.count) bytes for \(id), expected \(id.ivLength)")
        }
        guard id != .null else { return plaintext }
        let block = ProtocolConstants.aesBlockLength
        let padLength = block - plaintext.count % block
        let padded = plaintext + [UInt8](repeating: UInt8(padLength), count: padLength)
        guard let ciphertext = cbc(id, key: key, iv: iv, input: padded, encrypt: true) else {
            throw LibCrypto.failure("AES-CBC encryption")
        }
        return iv + ciphertext
    }

    /// Decrypts an ENCRYPTED body (IV | ciphertext) and removes the padding. Throws `.invalidKeyLength`,
    /// `.malformedCiphertext` (too short, not whole blocks) or `.badPadding`.
    public static func decrypt(_ id: HIPCipherID, key: SecretBytes, body: [UInt8]) throws(CryptoError) -> [UInt8] {
        try checkKey(id, key)
        guard id != .null else { return body }
        let block = ProtocolConstants.aesBlockLength
        let ciphertextLength = body.count - id.ivLength
        guard ciphertextLength >= block, ciphertextLength % block == 0 else {
            throw .malformedCiphertext("\(body.count)-byte body is not IV + whole AES blocks")
        }
        let iv = Array(body[..<id.ivLength])
        let ciphertext = Array(body[id.ivLength...])
        guard let padded = cbc(id, key: key, iv: iv, input: ciphertext, encrypt: false) else {
            throw LibCrypto.failure("AES-CBC decryption")
        }
        guard let plaintextLength = unpaddedLength(padded) else { throw CryptoError.badPadding }
        return Array(padded[..<plaintextLength])
    }

    /// The length without PKCS#5 padding, or nil if the padding is wrong. Runs in time that depends only on
    /// the buffer length.
    static func unpaddedLength(_ padded: [UInt8]) -> Int? {
        let block = ProtocolConstants.aesBlockLength
        guard padded.count >= block, let last = padded.last else { return nil }
        let padLength = Int(last)
        var bad = UInt8(truncatingIfNeeded: (padLength - 1) >> 8)          // padLength == 0
        bad |= UInt8(truncatingIfNeeded: (block - padLength) >> 8)         // padLength > 16
        for index in 0..<block {
            let byte = padded[padded.count - 1 - index]
            // inPad = 0xFF when index < padLength, else 0.
            let inPad = UInt8(truncatingIfNeeded: (index - padLength) >> 8)
            bad |= inPad & (byte ^ last)
        }
        return bad == 0 ? padded.count - padLength : nil
    }

    private static func checkKey(_ id: HIPCipherID, _ key: SecretBytes) throws(CryptoError) {
        guard key.count == id.keyLength else {
            throw .invalidKeyLength("HIP_CIPHER \(id)", expected: id.keyLength, actual: key.count)
        }
    }

    /// Raw AES-CBC (no padding) of whole blocks; nil if libcrypto fails.
    private static func cbc(_ id: HIPCipherID, key: SecretBytes, iv: [UInt8], input: [UInt8], encrypt: Bool) -> [UInt8]? {
        guard let context = EVP_CIPHER_CTX_new() else { return nil }
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = id == .aes128CBC ? EVP_aes_128_cbc() : EVP_aes_256_cbc()
        var output = [UInt8](repeating: 0, count: input.count + ProtocolConstants.aesBlockLength)
        var length: Int32 = 0
        var finalLength: Int32 = 0
        let ok = key.withUnsafeBytes { keyBytes in
            EVP_CipherInit_ex2(context, cipher, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                               iv, encrypt ? 1 : 0, nil) == 1
                && EVP_CIPHER_CTX_set_padding(context, 0) == 1
                && EVP_CipherUpdate(context, &output, &length, input, Int32(input.count)) == 1
                && output.withUnsafeMutableBufferPointer {
                    EVP_CipherFinal_ex(context, $0.baseAddress! + Int(length), &finalLength)
                } == 1
        }
        guard ok else {
            _ = LibCrypto.drainErrors()
            return nil
        }
        return Array(output[..<Int(length + finalLength)])
    }
}

// HIP_CIPHER (ENCRYPTED body): NIST SP 800-38A known answers, round trips, padding and length errors.
@testable import HIPCrypto
import Testing

@Suite struct HIPCipherTests {
    static let nistPlaintext = bytes(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")
    static let nistIV = bytes("000102030405060708090a0b0c0d0e0f")

    /// NIST SP 800-38A F.2.1 (CBC-AES128) and F.2.5 (CBC-AES256): the four blocks after the IV equal the
    /// NIST ciphertext; one block of PKCS#5 padding (16 × 0x10) follows.
    @Test(arguments: [
        (HIPCipherID.aes128CBC, "2b7e151628aed2a6abf7158809cf4f3c",
         "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
            + "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"),
        (.aes256CBC, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
         "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
            + "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"),
    ])
    func nistKnownAnswer(id: HIPCipherID, key: String, ciphertext: String) throws {
        let secret = SecretBytes(bytes(key))
        let body = try HIPCipher.encrypt(id, key: secret, iv: Self.nistIV, plaintext: Self.nistPlaintext)
        #expect(body.count == 16 + 64 + 16)
        #expect(Array(body[0..<16]) == Self.nistIV)
        #expect(Array(body[16..<80]) == bytes(ciphertext))
        #expect(try HIPCipher.decrypt(id, key: secret, body: body) == Self.nistPlaintext)
    }

    /// The NIST ciphertext alone decrypts to a plaintext ending in 0x10, which PKCS#5 would read as a full
    /// pad block only if its last 16 bytes were all 0x10; they are not, so it is `.badPadding`.
    @Test func nistCiphertextWithoutPaddingIsBadPadding() throws {
        let key = SecretBytes(bytes("2b7e151628aed2a6abf7158809cf4f3c"))
        let body = Self.nistIV + bytes(
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                + "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7")
        do {
            _ = try HIPCipher.decrypt(.aes128CBC, key: key, body: body)
            Issue.record("accepted bad padding")
        } catch {
            #expect(error.code == .badPadding)
        }
    }

    @Test(arguments: [HIPCipherID.aes128CBC, .aes256CBC])
    func roundTripsEveryLength(id: HIPCipherID) throws {
        let key = SecretBytes(SystemRandom.bytes(id.keyLength))
        for length in 0...40 {
            let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            let body = try HIPCipher.encrypt(id, key: key, plaintext: plaintext)
            #expect(body.count == 16 + (length / 16 + 1) * 16)
            #expect(try HIPCipher.decrypt(id, key: key, body: body) == plaintext)
        }
        let first = try HIPCipher.encrypt(id, key: key, plaintext: [1, 2, 3])
        let second = try HIPCipher.encrypt(id, key: key, plaintext: [1, 2, 3])
        #expect(first != second)                     // fresh random IV each time
    }

    @Test func tamperingTheLastBlockGivesBadPaddingOrGarbage() throws {
        let key = SecretBytes(SystemRandom.bytes(16))
        let body = try HIPCipher.encrypt(.aes128CBC, key: key, iv: Self.nistIV, plaintext: Array(repeating: 0x41, count: 20))
        // Flipping the last byte of the previous block flips the last plaintext byte (the pad length 12).
        var tampered = body
        tampered[body.count - 17] ^= 0x0C ^ 0x00   // pad length 12 → 0
        do {
            _ = try HIPCipher.decrypt(.aes128CBC, key: key, body: tampered)
            Issue.record("accepted a zero pad length")
        } catch {
            #expect(error.code == .badPadding)
        }
        tampered = body
        tampered[body.count - 17] ^= 0x0C ^ 0x11    // pad length 17 > 16
        #expect(throws: CryptoError.self) { try HIPCipher.decrypt(.aes128CBC, key: key, body: tampered) }
        let wrongKey = SecretBytes(SystemRandom.bytes(16))
        if let plaintext = try? HIPCipher.decrypt(.aes128CBC, key: wrongKey, body: body) {
            #expect(plaintext != Array(repeating: 0x41, count: 20))
        }
    }

    @Test func unpaddedLengthChecksEveryPadByte() {
        var block = [UInt8](repeating: 0x05, count: 16)
        #expect(HIPCipher.unpaddedLength(block) == 11)
        block[11] = 0x04                               // inside the 5 pad bytes
        #expect(HIPCipher.unpaddedLength(block) == nil)
        block = [UInt8](repeating: 0x10, count: 16)
        #expect(HIPCipher.unpaddedLength(block) == 0)
        block[0] = 0x11
        #expect(HIPCipher.unpaddedLength(block) == nil)
        block = [UInt8](repeating: 0x00, count: 16)
        #expect(HIPCipher.unpaddedLength(block) == nil)
        #expect(HIPCipher.unpaddedLength([UInt8](repeating: 0x01, count: 15)) == nil)
    }

    @Test func rejectsWrongKeyLengthsAndMalformedBodies() throws {
        func code(_ body: () throws -> [UInt8]) -> CryptoError.Code? {
            do { _ = try body(); return nil } catch { return (error as? CryptoError)?.code }
        }
        let key16 = SecretBytes(SystemRandom.bytes(16))
        #expect(code { try HIPCipher.encrypt(.aes256CBC, key: key16, plaintext: [1]) } == .invalidKeyLength)
        #expect(code { try HIPCipher.decrypt(.aes256CBC, key: key16, body: Array(repeating: 0, count: 32)) }
                == .invalidKeyLength)
        #expect(code { try HIPCipher.encrypt(.null, key: key16, plaintext: [1]) } == .invalidKeyLength)
        #expect(code { try HIPCipher.encrypt(.aes128CBC, key: key16, iv: [1, 2], plaintext: [1]) }
                == .malformedCiphertext)
        for length in [0, 15, 16, 31, 33] {
            #expect(code { try HIPCipher.decrypt(.aes128CBC, key: key16, body: Array(repeating: 0, count: length)) }
                    == .malformedCiphertext, "length \(length)")
        }
    }

    @Test func nullCipherIsIdentity() throws {
        let empty = SecretBytes([])
        #expect(try HIPCipher.encrypt(.null, key: empty, plaintext: [1, 2, 3]) == [1, 2, 3])
        #expect(try HIPCipher.decrypt(.null, key: empty, body: [4, 5]) == [4, 5])
        #expect(HIPCipherID.null.ivLength == 0 && HIPCipherID.null.keyLength == 0)
        #expect(HIPCipherID.aes128CBC.keyLength == 16 && HIPCipherID.aes256CBC.keyLength == 32)
    }
}

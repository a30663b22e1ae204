// KEYMAT (HKDF), the key draw order, and HMAC: RFC 5869, RFC 4231, RFC 2202 and the run5 capture.
@testable import HIPCrypto
import HIPWire
import SynapticTestSupport
import Testing

@Suite struct KeymatTests {
    /// RFC 5869 Appendix A.1 (test case 1, SHA-256).
    @Test func rfc5869TestCase1() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        let salt = bytes("000102030405060708090a0b0c")
        let info = bytes("f0f1f2f3f4f5f6f7f8f9")
        var okm = [UInt8](repeating: 0, count: 42)
        let ok = ikm.withUnsafeBytes { ikmBytes in
            okm.withUnsafeMutableBytes { HKDF.derive(.sha256, ikm: ikmBytes, salt: salt, info: info, into: $0) }
        }
        #expect(ok)
        #expect(okm == bytes(
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"))
    }

    /// RFC 5869 Appendix A.3 (test case 3: empty salt and info).
    @Test func rfc5869TestCase3() {
        let ikm = [UInt8](repeating: 0x0b, count: 22)
        var okm = [UInt8](repeating: 0, count: 42)
        let ok = ikm.withUnsafeBytes { ikmBytes in
            okm.withUnsafeMutableBytes { HKDF.derive(.sha256, ikm: ikmBytes, salt: [], info: [], into: $0) }
        }
        #expect(ok)
        #expect(okm == bytes(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"))
    }

    /// run5 inputs (Kij, #I, #J, HITs in either order) give the captured KEYMAT's first 256 bytes.
    @Test func run5KeymatFirst256Bytes() throws {
        let json = try Vectors.load()
        let expected = try #require(json["run5"]["hkdf"]["keymat_first_256_hex"].bytes)
        for swapHITs in [false, true] {
            var keymat = try Self.run5Keymat(swapHITs: swapHITs)
            #expect(try keymat.draw(256).testBytes == expected)
            #expect(keymat.offset == 256)
        }
        // Drawing in pieces gives the same stream.
        var pieces = try Self.run5Keymat(swapHITs: false)
        var joined: [UInt8] = []
        for size in [1, 15, 0, 32, 100, 108] { joined += try pieces.draw(size).testBytes }
        #expect(joined == expected)
    }

    /// run5's eight drawn keys (HIP_CIPHER AES-128-CBC, RHASH SHA-256, ESP suite 8) and KEYMAT index 96.
    @Test func run5DrawnKeys() throws {
        let json = try Vectors.load()
        var keymat = try Self.run5Keymat(swapHITs: false)
        let keys = try HIPKeys(keymat: &keymat, cipher: .aes128CBC, hash: .sha256, esp: .aes128CBCSHA256)
        func expected(_ name: String) throws -> [UInt8] {
            try #require(json["run5"]["drawn_keys"]["keys"][name]["hex"].bytes)
        }
        #expect(keys.glEncryption.testBytes == (try expected("hip_gl_enc")))
        #expect(keys.glIntegrity.testBytes == (try expected("hip_gl_int")))
        #expect(keys.lgEncryption.testBytes == (try expected("hip_lg_enc")))
        #expect(keys.lgIntegrity.testBytes == (try expected("hip_lg_int")))
        #expect(keys.espGL.encryption.testBytes == (try expected("esp_gl_enc")))
        #expect(keys.espGL.authentication.testBytes == (try expected("esp_gl_auth")))
        #expect(keys.espLG.encryption.testBytes == (try expected("esp_lg_enc")))
        #expect(keys.espLG.authentication.testBytes == (try expected("esp_lg_auth")))
        #expect(Int(keys.espKeymatIndex) == json["run5"]["esp_info"]["i2"]["keymat_index"].int)
        #expect(keys.espKeymatIndex == 96)
        #expect(keymat.offset == 192)
    }

    /// run1's sizes (AES-256-CBC, SHA-256, suite 9) put the ESP keys at the captured index 128.
    @Test func run1KeymatIndex() throws {
        let json = try Vectors.load()
        var keymat = try Self.run5Keymat(swapHITs: false)
        let keys = try HIPKeys(keymat: &keymat, cipher: .aes256CBC, hash: .sha256, esp: .aes256CBCSHA256)
        #expect(Int(keys.espKeymatIndex) == json["run1"]["esp_info"]["i2"]["keymat_index"].int)
        #expect(keys.espKeymatIndex == 128)
        #expect(keys.espGL.encryption.count == 32)
    }

    /// Suite 13: 20-byte encryption key (AES-128 key ‖ salt) and no authentication key; suite 7: no cipher key.
    @Test func gcmAndNullSuiteDraws() throws {
        let stream = try Self.run5Keymat(swapHITs: false)
        var copy = stream
        let all = try copy.draw(256).testBytes
        var keymat = stream
        let gcm = try HIPKeys(keymat: &keymat, cipher: .aes128CBC, hash: .sha256, esp: .aesGCM16)
        #expect(gcm.espKeymatIndex == 96)
        #expect(gcm.espGL.encryption.testBytes == Array(all[96..<116]))
        #expect(gcm.espGL.authentication.count == 0)
        #expect(gcm.espLG.encryption.testBytes == Array(all[116..<136]))
        keymat = stream
        let null = try HIPKeys(keymat: &keymat, cipher: .null, hash: .sha384, esp: .nullSHA256)
        #expect(null.glEncryption.count == 0)
        #expect(null.glIntegrity.count == 48)
        #expect(null.espKeymatIndex == 96)
        #expect(null.espGL.encryption.count == 0)
        #expect(null.espGL.authentication.count == 32)
    }

    @Test func keymatStopsAtTheHKDFLimit() throws {
        var keymat = try Self.run5Keymat(swapHITs: false)
        #expect(keymat.capacity == 255 * 32)
        _ = try keymat.draw(255 * 32 - 10)
        do {
            _ = try keymat.draw(11)
            Issue.record("drew past the HKDF limit")
        } catch {
            #expect(error.code == .keymatExhausted)
        }
        #expect(try keymat.draw(10).count == 10)
    }

    /// A rekey without DH draws new ESP keys from a later KEYMAT index of the same stream.
    @Test func advanceToAKeymatIndex() throws {
        let all = try { var stream = try Self.run5Keymat(swapHITs: false); return try stream.draw(256).testBytes }()
        var keymat = try Self.run5Keymat(swapHITs: false)
        _ = try HIPKeys(keymat: &keymat, cipher: .aes128CBC, hash: .sha256, esp: .aes128CBCSHA256)
        try keymat.advance(to: 200)
        let rekey = try ESPKeys(drawingFrom: &keymat, suite: .aes128CBCSHA256)
        #expect(rekey.encryption.testBytes == Array(all[200..<216]))
        #expect(rekey.authentication.testBytes == Array(all[216..<248]))
        for index in [247, keymat.capacity + 1] {
            do {
                try keymat.advance(to: index)
                Issue.record("advanced to \(index) from \(keymat.offset)")
            } catch {
                #expect(error.code == .keymatExhausted)
            }
        }
        try keymat.advance(to: keymat.capacity)
        #expect(try keymat.draw(0).count == 0)
    }

    @Test func espSuiteSizes() {
        #expect(ESPSuiteID.aesGCM16.encryptionKeyLength == 20)
        #expect(ESPSuiteID.aesGCM16.authenticationKeyLength == 0)
        #expect(ESPSuiteID.aesGCM16.ivLength == 8)
        #expect(ESPSuiteID.aes128CBCSHA256.encryptionKeyLength == 16)
        #expect(ESPSuiteID.aes256CBCSHA256.encryptionKeyLength == 32)
        #expect(ESPSuiteID.nullSHA256.encryptionKeyLength == 0)
        #expect(ESPSuiteID.allCases.allSatisfy { $0.icvLength == 16 })
        #expect(ESPSuiteID.allCases.filter { $0 != .aesGCM16 }.allSatisfy { $0.authenticationKeyLength == 32 })
    }

    /// KEYMAT from run5's Kij (32 bytes; the same with or without zero padding, README §4.5), #I, #J, HITs.
    static func run5Keymat(swapHITs: Bool) throws -> Keymat {
        let run5 = try Vectors.load()["run5"]
        let lower = try #require(run5["sorted_hits"]["lower_hit"].string.flatMap { HIT($0) })
        let greater = try #require(run5["sorted_hits"]["greater_hit"].string.flatMap { HIT($0) })
        return Keymat(hash: .sha256, kij: SecretBytes(try #require(run5["kij"]["hex_zero_padded_32"].bytes)),
                      puzzleI: try #require(run5["puzzle"]["I_hex"].bytes),
                      puzzleJ: try #require(run5["puzzle"]["J_hex"].bytes),
                      hitA: swapHITs ? greater : lower, hitB: swapHITs ? lower : greater)
    }
}

@Suite struct HMACTests {
    /// RFC 4231 test cases 1, 2, 3 and 6 (SHA-256, SHA-384) and RFC 2202 test cases 1, 2 (SHA-1).
    @Test(arguments: [
        (HashAlgorithm.sha256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (.sha384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"),
        (.sha256, "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (.sha384, "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"),
        (.sha256, String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (.sha256, String(repeating: "aa", count: 131),
         "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (.sha1, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
         "b617318655057264e28bc0b6fb378c8ef146be00"),
        (.sha1, "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
    ])
    func knownAnswers(hash: HashAlgorithm, key: String, data: String, mac: String) {
        let result = HMAC.authenticate(hash, key: SecretBytes(bytes(key)), data: bytes(data))
        #expect(result == bytes(mac))
        #expect(result.count == hash.digestLength)
    }

    /// run5 `mac_checks[]`: HMAC-SHA-256 of each `mac_input_hex` with the RFC key (the sender's outgoing
    /// integrity key) drawn from our KEYMAT equals `rfc_expected_mac_hex`.
    @Test func run5MACsWithDrawnKeys() throws {
        var keymat = try KeymatTests.run5Keymat(swapHITs: false)
        let keys = try HIPKeys(keymat: &keymat, cipher: .aes128CBC, hash: .sha256, esp: .aes128CBCSHA256)
        let checks = try Vectors.load()["run5"]["mac_checks"].array
        #expect(checks.count == 6)
        for check in checks {
            let key = check["rfc_key"].string == "hip_gl_int" ? keys.glIntegrity : keys.lgIntegrity
            let input = try #require(check["mac_input_hex"].bytes)
            let expected = try #require(check["rfc_expected_mac_hex"].bytes)
            let mac = HMAC.authenticate(.sha256, key: key, data: input)
            #expect(constantTimeEquals(mac, expected), "\(check["packet"].string ?? "?")")
        }
    }

    @Test func constantTimeEqualsComparesContentsAndLength() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
        #expect(constantTimeEquals([9, 8, 7][1...], [8, 7]))
    }

    @Test func hashDigests() {
        #expect(HashAlgorithm.sha256.digest(Array("abc".utf8))
                == bytes("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"))
        #expect(HashAlgorithm.sha1.digest(Array("abc".utf8)) == bytes("a9993e364706816aba3e25717850c26c9cd0d89d"))
        #expect(HashAlgorithm.sha384.digest(Array("abc".utf8)) == bytes(
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"))
    }
}

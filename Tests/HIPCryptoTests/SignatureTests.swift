// Host identity signatures: captured RSA-PSS signatures, independent ECDSA/Ed25519 known answers,
// round trips for every kind, cross-kind rejection and hostile HOST_ID fields.
import HIPCrypto
import SynapticTestSupport
import Testing

@Suite struct SignatureTests {
    /// Every `signature_checks[]` entry of every run verifies over `signed_data_hex` with the signer's
    /// HOST_ID, and fails with one bit flipped in the data or in the signature.
    @Test func capturedSignaturesVerify() throws {
        let json = try Vectors.load()
        var count = 0
        for run in Vectors.runs {
            for check in json[run]["signature_checks"].array {
                let label = "\(run) \(check["packet"].string ?? "?")"
                let signer = json[run]["hosts"][check["signer"].string ?? ""]
                let identity = try PublicHostIdentity(algorithm: UInt16(try #require(check["sig_alg_field"].int)),
                                                      hostIdentity: try #require(signer["host_identity_hex"].bytes))
                let signature = try #require(check["signature_hex"].bytes)
                let data = try #require(check["signed_data_hex"].bytes)
                #expect(identity.verify(signature: signature, over: data), "\(label)")

                var flippedData = data
                flippedData[flippedData.count / 2] ^= 0x10
                #expect(!identity.verify(signature: signature, over: flippedData), "\(label) data bit flip")
                var flippedSignature = signature
                flippedSignature[3] ^= 0x01
                #expect(!identity.verify(signature: flippedSignature, over: data), "\(label) signature bit flip")
                count += 1
            }
        }
        #expect(count == 13)
    }

    /// ECDSA with SHA-384 on both curves, r | s: signatures made independently by Python `cryptography`
    /// (key = private scalar 0x1234567890abcdef) verify with our PublicHostIdentity.
    @Test(arguments: [
        ("0001049fad84aeae08bbef7f010014d82cef6a09de2b0cf871b5ce0c4f1d13a59a593407cb45769f1070e2c2470fe5b1bfe6"
            + "3133c0b0cdc64ea4bf3791a8ec2a07fd4f",
         "dea4a9f7ab88055c9b25d06f1b0a63ca015c7b208c716a93c23a1e7355404380690b31f50d6036194e088edb8a7e3295a51a"
            + "d2e02b475b2a078d854cd4ad7934"),
        ("000204fbf96095915eb587390f850ec95b35f618ae121c72a70808ad8f9f4c261b602b63541743e395f7c778e52bb28c18dc"
            + "83016a6ff3f72c9368326ad50a3bd148a53cd2213bb480e4730ad019db87ae100995ec65df011e19811a15dc9ddfc9ab3c",
         "2ecf9b3d1390f48fbb990dab5144081523cb6ca7eeb6b469c1f1caf8151a9fbbb294afac6c4ecdd609ac712c2a689064483e"
            + "367ce481a99215801ab277b09bf7ce1562e0ad1d7c7101b06a019a25948bc97a13bd11340b22e87812e892406630"),
    ])
    func ecdsaKnownAnswer(field: String, signature: String) throws {
        let identity = try PublicHostIdentity(algorithm: 7, hostIdentity: bytes(field))
        let message = Array("synaptic signature cross-check".utf8)
        #expect(identity.verify(signature: bytes(signature), over: message))
        #expect(!identity.verify(signature: bytes(signature), over: message + [0]))
    }

    /// RFC 8032 §7.1 TEST 1 (empty message) as an EdDSA HI (curve 1 | key).
    @Test func ed25519KnownAnswer() throws {
        let identity = try PublicHostIdentity(
            algorithm: 13,
            hostIdentity: bytes("0001d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let signature = bytes(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25b"
                + "f5f0595bbe24655141438e7a100b")
        #expect(identity.verify(signature: signature, over: []))
        #expect(!identity.verify(signature: signature, over: [0]))
    }

    @Test(arguments: HostIdentityKind.allCases)
    func signAndVerifyRoundTrip(kind: HostIdentityKind) throws {
        let identity = try HostIdentity.generate(kind)
        let data = Array("HIP_SIGNATURE covered region".utf8)
        let signature = try identity.sign(data)
        #expect(signature.count == identity.publicIdentity.signatureLength)
        let expectedLength = switch kind {
        case .ecdsaP256: 64
        case .ecdsaP384: 96
        case .rsa2048: 256
        case .rsa3072: 384
        case .ed25519: 64
        }
        #expect(signature.count == expectedLength)
        let peer = try PublicHostIdentity(algorithm: kind.algorithm.rawValue,
                                          hostIdentity: identity.publicIdentity.hostIdentity)
        #expect(peer.verify(signature: signature, over: data))
        #expect(!peer.verify(signature: signature, over: data + [1]))
        #expect(!peer.verify(signature: Array(signature.dropLast()), over: data))
        // Another key of the same kind does not accept it.
        let other = try HostIdentity.generate(kind)
        #expect(!other.publicIdentity.verify(signature: signature, over: data))
    }

    /// A signature of one kind never verifies under an identity of another kind (nor of the same length).
    @Test func crossKindSignaturesAreRejected() throws {
        let identities = try HostIdentityKind.allCases.map { try HostIdentity.generate($0) }
        let data = Array("cross-kind".utf8)
        for signer in identities {
            let signature = try signer.sign(data)
            for verifier in identities where verifier.kind != signer.kind {
                #expect(!verifier.publicIdentity.verify(signature: signature, over: data),
                        "\(signer.kind) signature accepted by \(verifier.kind)")
            }
        }
    }

    @Test func hostileHostIdentityFieldsAreRejected() throws {
        func code(_ algorithm: UInt16, _ hex: String) -> CryptoError.Code? {
            do {
                _ = try PublicHostIdentity(algorithm: algorithm, hostIdentity: bytes(hex))
                return nil
            } catch {
                return error.code
            }
        }
        let p256 = "049fad84aeae08bbef7f010014d82cef6a09de2b0cf871b5ce0c4f1d13a59a593407cb45769f1070e2c2470fe5b1bfe6"
            + "3133c0b0cdc64ea4bf3791a8ec2a07fd4f"
        #expect(code(3, "00") == .unsupportedAlgorithm)                       // DSA
        #expect(code(9, "0001") == .unsupportedAlgorithm)                     // ECDSA_LOW
        #expect(code(7, "0003" + p256) == .unsupportedAlgorithm)              // unknown curve
        #expect(code(7, "0001") == .malformedHostIdentity)                    // no point
        #expect(code(7, "00") == .malformedHostIdentity)
        #expect(code(7, "0002" + p256) == .malformedHostIdentity)             // P-256 point under P-384
        #expect(code(7, "0001" + "02" + p256.dropFirst(2)) == .malformedHostIdentity)   // not uncompressed
        var offCurve = bytes("0001" + p256)
        offCurve[offCurve.count - 1] ^= 1
        #expect(code(7, Hex.encode(offCurve)) == .malformedHostIdentity)
        #expect(code(13, "0003" + String(repeating: "11", count: 57)) == .unsupportedAlgorithm)   // Ed448
        #expect(code(13, "0001" + String(repeating: "11", count: 31)) == .malformedHostIdentity)
        #expect(code(13, "00010000" + String(repeating: "11", count: 32)) == .malformedHostIdentity) // "NULL" form
        #expect(code(5, "") == .malformedHostIdentity)
        #expect(code(5, "0000") == .malformedHostIdentity)                    // truncated long form
        #expect(code(5, "03010001") == .malformedHostIdentity)                // no modulus
        #expect(code(5, "09" + String(repeating: "01", count: 9) + String(repeating: "ff", count: 256))
                == .malformedHostIdentity)                                    // exponent too long
        #expect(code(5, "03010001" + String(repeating: "ff", count: 64)) == .malformedHostIdentity)  // 512 bits
        #expect(code(5, "03010001" + "00" + String(repeating: "ff", count: 256)) == .malformedHostIdentity)
        #expect(code(5, "03010000" + String(repeating: "ff", count: 256)) == .malformedHostIdentity) // even e
    }
}

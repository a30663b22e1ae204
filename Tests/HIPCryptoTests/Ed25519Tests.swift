// Ed25519 host identities through libsodium: RFC 8032 §7.1 vectors byte for byte, agreement with libcrypto's
// Ed25519 both ways, key files written while libcrypto did Ed25519 loading with the same HIT and saved back
// byte for byte, and the signatures libsodium refuses where libcrypto did not.
import Foundation
import HIPWire
import SynapticTestSupport
import Testing
@testable import HIPCrypto

@Suite struct Ed25519Tests {
    /// An RFC 8032 §7.1 test vector, with its private key as `openssl pkey` writes it (PKCS#8 PEM).
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let seed: String
        let publicKey: String
        let message: String
        let signature: String
        let pem: String
        var testDescription: String { name }
    }

    static let vectors = [
        Vector(name: "TEST 1",
               seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
               publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
               message: "",
               signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
                   + "701cf9b46bd25bf5f0595bbe24655141438e7a100b",
               pem: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                   + "-----END PRIVATE KEY-----\n"),
        Vector(name: "TEST 2",
               seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
               publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
               message: "72",
               signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f36"
                   + "13d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
               pem: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIEzNCJso/5banbbDRuwRTg9bijGfNaumJNqM9u1PuKb7\n"
                   + "-----END PRIVATE KEY-----\n"),
        Vector(name: "TEST 3",
               seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
               publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
               message: "af82",
               signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7"
                   + "60984dc6594a7c15e9716ed28dc027beceea1ec40a",
               pem: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMWqjfQ/n4N77bdELzHct7Fm04U1B28JS4XOOi4LRFj3\n"
                   + "-----END PRIVATE KEY-----\n"),
    ]

    /// libsodium's key pair from the seed gives the vector's public key and, byte for byte, its signature,
    /// which verifies; one bit off in the message or the signature does not.
    @Test(arguments: vectors)
    func libsodiumSignsTheRFC8032Vector(_ vector: Vector) throws {
        let key = try #require(bytes(vector.seed).withUnsafeBytes { Ed25519.PrivateKey(seed: $0) })
        let message = bytes(vector.message)
        #expect(key.publicKey.bytes == bytes(vector.publicKey))
        #expect(try key.sign(message) == bytes(vector.signature))
        #expect(key.publicKey.isValidSignature(bytes(vector.signature), for: message))
        #expect(!key.publicKey.isValidSignature(bytes(vector.signature), for: message + [0]))
        var flipped = bytes(vector.signature)
        flipped[40] ^= 0x01
        #expect(!key.publicKey.isValidSignature(flipped, for: message))
        key.withSeed { #expect(Array($0) == bytes(vector.seed)) }
    }

    /// The same through the public API: the vector's key file loads as an Ed25519 identity whose HOST_ID
    /// carries the vector's public key, and HostIdentity.sign gives the vector's signature.
    @Test(arguments: vectors)
    func keyFileOfTheRFC8032VectorSignsIt(_ vector: Vector) throws {
        let scratch = try KeyFileTests.Scratch()
        let identity = try HostIdentity.load(path: try scratch.write("rfc8032.pem", vector.pem))
        #expect(identity.kind == .ed25519)
        #expect(identity.publicIdentity.hostIdentity == [0x00, 0x01] + bytes(vector.publicKey))
        #expect(try identity.sign(bytes(vector.message)) == bytes(vector.signature))
        guard case .ed25519 = identity.key else {
            Issue.record("an Ed25519 key file did not give a libsodium key")
            return
        }
    }

    /// Ed25519 is deterministic, so libsodium and libcrypto sign alike from one seed; each accepts the other's
    /// signature, through HIPCrypto's public API and libcrypto's EVP interface, and both refuse a changed one.
    @Test func libsodiumAndLibcryptoAgree() throws {
        for round in 0..<16 {
            let seed = SystemRandom.bytes(32)
            let message = SystemRandom.bytes(round * 37)
            let key = try #require(seed.withUnsafeBytes { Ed25519.PrivateKey(seed: $0) })
            #expect(LibcryptoEd25519.publicKey(seed: seed) == key.publicKey.bytes)
            let ours = try key.sign(message)
            let theirs = try #require(LibcryptoEd25519.sign(message, seed: seed))
            #expect(ours == theirs, "round \(round)")
            #expect(LibcryptoEd25519.verify(ours, over: message, publicKey: key.publicKey.bytes))
            let peer = try PublicHostIdentity(algorithm: 13, hostIdentity: [0, 1] + key.publicKey.bytes)
            #expect(peer.verify(signature: theirs, over: message))
            #expect(!peer.verify(signature: theirs, over: message + [1]))
            #expect(!LibcryptoEd25519.verify(ours, over: message + [1], publicKey: key.publicKey.bytes))
        }
        // A generated identity's HIP_SIGNATURE verifies with libcrypto under its HOST_ID key.
        let identity = try HostIdentity.generate(.ed25519)
        let signature = try identity.sign(Array("HIP_SIGNATURE covered region".utf8))
        #expect(LibcryptoEd25519.verify(signature, over: Array("HIP_SIGNATURE covered region".utf8),
                                        publicKey: Array(identity.publicIdentity.hostIdentity.dropFirst(2))))
    }

    /// A key file written by `synaptic keygen --algorithm ed25519` while libcrypto generated, saved and signed
    /// with Ed25519 keys (commit 3e3e39c) loads with the HIT that build printed (`synaptic hit`), and `save`
    /// writes it back byte for byte, so existing identities keep their HITs.
    @Test func keyFileFromTheLibcryptoBuildKeepsItsHIT() throws {
        let scratch = try KeyFileTests.Scratch()
        let pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEICu/zMb+ujyNcbg56/BtJg0wMdouB7KRjB9d5mquZWWX\n"
            + "-----END PRIVATE KEY-----\n"
        let identity = try HostIdentity.load(path: try scratch.write("old.pem", pem))
        #expect(identity.kind == .ed25519)
        #expect(identity.hit == HIT("2001:25:9ed4:618e:9403:6117:8a51:4493"))
        #expect(IPAddress.v4(LSI.forHIT(identity.hit)).description == "1.81.68.147")
        #expect(Array(identity.publicIdentity.hostIdentity.dropFirst(2))
                == bytes("f619da5daa92d6cb05ca2e8f6441afd45eadfc5053446b1f00a9bf9ad20cef0e"))

        let copy = scratch.path("copy.pem")
        try identity.save(path: copy)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == pem)
        #expect(try HostIdentity.load(path: copy).hit == identity.hit)
        // The RFC 8032 TEST 1 key has the HIT computed independently in HITTests.ed25519HITKnownAnswer.
        let test1 = try HostIdentity.load(path: try scratch.write("test1.pem", Self.vectors[0].pem))
        #expect(test1.hit == HIT("2001:25:216:6d66:e1ef:913f:de44:a33a"))
    }

    /// The identity point as public key with R = identity, S = 0 satisfies the cofactorless verification
    /// equation for every message: libcrypto 3.0 accepted it, so anyone could sign as that HOST_ID's HIT.
    /// libsodium refuses small-order keys and R, and non-canonical S (S + L).
    @Test func signaturesLibsodiumRefuses() throws {
        let identityPoint = [UInt8(1)] + [UInt8](repeating: 0, count: 31)
        let smallOrder = try PublicHostIdentity(algorithm: 13, hostIdentity: [0, 1] + identityPoint)
        let universal = identityPoint + [UInt8](repeating: 0, count: 32)
        for message in [[], [0x42], Array("I2 covered region".utf8)] as [[UInt8]] {
            #expect(!smallOrder.verify(signature: universal, over: message))
        }

        // S + L (L = 2^252 + 27742317777372353535851937790883648493, little-endian) for TEST 2's signature.
        let vector = Self.vectors[1]
        let peer = try PublicHostIdentity(algorithm: 13, hostIdentity: [0, 1] + bytes(vector.publicKey))
        let order = bytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
        var malleated = bytes(vector.signature)
        var carry = 0
        for index in 0..<32 {
            let sum = Int(malleated[32 + index]) + Int(order[index]) + carry
            malleated[32 + index] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        #expect(peer.verify(signature: bytes(vector.signature), over: bytes(vector.message)))
        #expect(!peer.verify(signature: malleated, over: bytes(vector.message)))
    }

    @Test func lengthsAreChecked() {
        #expect(Ed25519.PublicKey([UInt8](repeating: 7, count: 31)) == nil)
        #expect(Ed25519.PublicKey([UInt8](repeating: 7, count: 33)) == nil)
        #expect([UInt8](repeating: 7, count: 31).withUnsafeBytes { Ed25519.PrivateKey(seed: $0) } == nil)
        let key = Ed25519.PublicKey(bytes(Self.vectors[0].publicKey))
        #expect(key?.isValidSignature(Array(bytes(Self.vectors[0].signature).dropLast()), for: []) == false)
    }
}

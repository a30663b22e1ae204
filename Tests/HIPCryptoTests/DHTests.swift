// Diffie-Hellman: agreement in every group, public value encodings, RFC 3526 primes, hostile peer values.
@testable import HIPCrypto
import SynapticTestSupport
import Testing

@Suite struct DHTests {
    /// RFC 3526 primes recomputed from the RFC's formula p = 2^n - 2^(n-64) - 1 + 2^64 × (⌊2^(n-130) π⌋ + k)
    /// (Python, π from Machin's formula), compared with the primes libcrypto's named groups use.
    static let rfc3526Primes: [(DHGroup, String)] = [
        (.modp1536, """
            ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd
            ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed
            ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f
            83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca237327ffffffffffffffff
            """),
        (.modp2048, """
            ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd
            ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed
            ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f
            83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b
            e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa0510
            15728e5a8aacaa68ffffffffffffffff
            """),
        (.modp3072, """
            ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd
            ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed
            ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f
            83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b
            e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa0510
            15728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7
            abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200c
            bbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff
            """),
    ]

    @Test func modpGroupsUseTheRFC3526Primes() throws {
        for (group, hex) in Self.rfc3526Primes {
            let pair = try DHKeyPair(group: group)
            #expect(pair.prime == bytes(hex), "group \(group)")
        }
    }

    @Test(arguments: DHGroup.allCases)
    func bothSidesAgree(group: DHGroup) throws {
        let initiator = try DHKeyPair(group: group)
        let responder = try DHKeyPair(group: group)
        #expect(initiator.publicValue.count == group.publicValueLength)
        #expect(responder.publicValue.count == group.publicValueLength)
        #expect(initiator.publicValue != responder.publicValue)
        let kij = try initiator.sharedSecret(peerPublicValue: responder.publicValue)
        let kji = try responder.sharedSecret(peerPublicValue: initiator.publicValue)
        #expect(kij.testBytes == kji.testBytes)
        switch group {
        case .nistP256: #expect(kij.count == 32)            // x-coordinate at field length
        case .nistP384: #expect(kij.count == 48)
        case .modp1536, .modp2048, .modp3072:
            #expect(kij.count <= group.publicValueLength)   // minimal encoding: never a leading zero byte
            #expect(kij.testBytes.first != 0)
        }
    }

    @Test func publicValueLengths() {
        #expect(DHGroup.modp1536.publicValueLength == 192)
        #expect(DHGroup.modp2048.publicValueLength == 256)
        #expect(DHGroup.modp3072.publicValueLength == 384)
        #expect(DHGroup.nistP256.publicValueLength == 64)
        #expect(DHGroup.nistP384.publicValueLength == 96)
    }

    /// The captured P-256 public values (x | y, no 0x04) are accepted as peer values.
    @Test func capturedECDHPublicValuesAreAccepted() throws {
        let json = try Vectors.load()
        let pair = try DHKeyPair(group: .nistP256)
        for run in Vectors.runs {
            for side in ["r1", "i2"] {
                let value = try #require(json[run]["negotiation"]["dh_public_values"][side]["public_value_hex"].bytes)
                #expect(try pair.sharedSecret(peerPublicValue: value).count == 32)
            }
        }
    }

    @Test(arguments: [DHGroup.modp1536, .modp2048, .modp3072])
    func modpRejectsOutOfRangeValues(group: DHGroup) throws {
        let pair = try DHKeyPair(group: group)
        let length = group.publicValueLength
        var one = [UInt8](repeating: 0, count: length)
        one[length - 1] = 1
        var pMinusOne = pair.prime
        pMinusOne[length - 1] -= 1
        // p - 2 ≡ -2 is in range but outside the order-q subgroup: these safe primes are ≡ 7 (mod 8), so -1
        // is a non-residue and 2 a residue. Only libcrypto's subgroup check (y^q = 1) refuses it.
        var pMinusTwo = pair.prime
        pMinusTwo[length - 1] -= 2
        let candidates: [[UInt8]] = [
            [UInt8](repeating: 0, count: length), one, pMinusOne, pMinusTwo, pair.prime,
            [UInt8](repeating: 0xFF, count: length),
            Array(pair.publicValue.dropFirst()), pair.publicValue + [0],
        ]
        Self.expectRefused(candidates, by: pair, group)
        var two = one
        two[length - 1] = 2
        #expect(try pair.sharedSecret(peerPublicValue: two).count > 0)   // 2 = g is in range and in the subgroup
    }

    @Test(arguments: [DHGroup.nistP256, .nistP384])
    func ecdhRejectsInvalidPoints(group: DHGroup) throws {
        let pair = try DHKeyPair(group: group)
        let peer = try DHKeyPair(group: group)
        var offCurve = peer.publicValue
        offCurve[offCurve.count - 1] ^= 1
        let candidates: [[UInt8]] = [
            offCurve,
            [UInt8](repeating: 0, count: group.publicValueLength),
            [0x04] + peer.publicValue,                         // with the SEC1 prefix: wrong length
            Array(peer.publicValue.dropLast()),
            [],
        ]
        Self.expectRefused(candidates, by: pair, group)
    }

    /// `pair` refuses every candidate peer value as an invalid public value.
    static func expectRefused(_ candidates: [[UInt8]], by pair: DHKeyPair, _ group: DHGroup,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        for value in candidates {
            do {
                _ = try pair.sharedSecret(peerPublicValue: value)
                Issue.record("accepted an invalid \(group) value of \(value.count) bytes", sourceLocation: sourceLocation)
            } catch {
                #expect(error.code == .invalidPublicValue, sourceLocation: sourceLocation)
            }
        }
    }

    @Test func rangeCheck() {
        let prime: [UInt8] = [0x00, 0x17]      // 23
        #expect(!DHKeyPair.isInRange([0x00, 0x00], prime: prime))
        #expect(!DHKeyPair.isInRange([0x00, 0x01], prime: prime))
        #expect(DHKeyPair.isInRange([0x00, 0x02], prime: prime))
        #expect(DHKeyPair.isInRange([0x00, 0x15], prime: prime))
        #expect(!DHKeyPair.isInRange([0x00, 0x16], prime: prime))
        #expect(!DHKeyPair.isInRange([0x00, 0x17], prime: prime))
        #expect(!DHKeyPair.isInRange([0x01, 0x02], prime: prime))
        #expect(!DHKeyPair.isInRange([0x02], prime: prime))
    }
}

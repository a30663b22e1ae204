// HITs (ORCHIDv2) and LSIs: captured HOST_IDs, independent known answers, structure and collisions.
import HIPCrypto
import HIPWire
import SynapticTestSupport
import Testing

@Suite struct HITTests {
    /// The four distinct captured identities (run5/run1 ia1 and ia2, both repo-pcap hosts, one RSA-1024).
    @Test func capturedHostIdentitiesGiveTheirHITs() throws {
        let json = try Vectors.load()
        var checked = Set<String>()
        for run in Vectors.runs {
            for (name, host) in json[run]["hosts"].object {
                let expected = try #require(host["hit"].string.flatMap { HIT($0) })
                let identity = try PublicHostIdentity(algorithm: UInt16(try #require(host["hi_algorithm"].int)),
                                                      hostIdentity: try #require(host["host_identity_hex"].bytes))
                #expect(identity.hit == expected, "\(run) \(name)")
                #expect(identity.hitSuite == .rsaSHA256)
                #expect(identity.algorithm == .rsa)
                checked.insert(expected.description)
            }
        }
        #expect(checked.count == 4)
    }

    /// Suite 2: HITs of ECDSA identities computed independently (Python `cryptography` + hashlib:
    /// SHA-384(Context ID | HI) bytes 18..<30) for the public key of private scalar 0x1234567890abcdef.
    @Test(arguments: [
        ("0001049fad84aeae08bbef7f010014d82cef6a09de2b0cf871b5ce0c4f1d13a59a593407cb45769f1070e2c2470fe5b1bfe6"
            + "3133c0b0cdc64ea4bf3791a8ec2a07fd4f", "2001002245e51a01cafe528e7b15de89"),
        ("000204fbf96095915eb587390f850ec95b35f618ae121c72a70808ad8f9f4c261b602b63541743e395f7c778e52bb28c18dc"
            + "83016a6ff3f72c9368326ad50a3bd148a53cd2213bb480e4730ad019db87ae100995ec65df011e19811a15dc9ddfc9ab3c",
         "2001002298b88ecbcbb6fcec6475a1a1"),
    ])
    func ecdsaHITKnownAnswer(field: String, hit: String) throws {
        let identity = try PublicHostIdentity(algorithm: 7, hostIdentity: bytes(field))
        #expect(identity.hit.bytes == bytes(hit))
        #expect(identity.hitSuite == .ecdsaSHA384)
    }

    /// Suite 5 (RFC 9374 §3.5.2.1 reading): cSHAKE128(Context ID | HI, 96, "", "") = SHAKE128, computed
    /// independently with Python hashlib.shake_128 for the RFC 8032 §7.1 TEST 1 public key.
    @Test func ed25519HITKnownAnswer() throws {
        let field = bytes("0001d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let identity = try PublicHostIdentity(algorithm: 13, hostIdentity: field)
        #expect(identity.hit == HIT("2001:25:216:6d66:e1ef:913f:de44:a33a"))
        #expect(identity.hitSuite == .eddsaCSHAKE128)
    }

    @Test(arguments: HostIdentityKind.allCases)
    func generatedIdentitiesHaveTheirSuitePrefix(kind: HostIdentityKind) throws {
        let identity = try HostIdentity.generate(kind)
        let bytes = identity.hit.bytes
        #expect(Array(bytes[0..<3]) == [0x20, 0x01, 0x00])
        #expect(bytes[3] == 0x20 | kind.hitSuite.rawValue)
        #expect(identity.hit == identity.publicIdentity.hit)
        // The HOST_ID field round-trips through a peer's parser to the same HIT.
        let peer = try PublicHostIdentity(algorithm: kind.algorithm.rawValue,
                                          hostIdentity: identity.publicIdentity.hostIdentity)
        #expect(peer == identity.publicIdentity)
        #expect(peer.hit == identity.hit)
    }

    @Test func hitSuiteListEncoding() {
        #expect(HITSuite.rsaSHA256.listEncoding == 0x10)
        #expect(HITSuite.ecdsaSHA384.listEncoding == 0x20)
        #expect(HITSuite.eddsaCSHAKE128.listEncoding == 0x50)
        #expect(HITSuite(listEncoding: 0x20) == .ecdsaSHA384)
        #expect(HITSuite(listEncoding: 0x21) == nil)
        #expect(HITSuite(listEncoding: 0x30) == nil)
        #expect(HITSuite.ecdsaSHA384.hash == .sha384)
        #expect(HITSuite.rsaSHA256.hash == .sha256)
    }
}

@Suite struct LSITests {
    @Test func lsiIsOneDotLow24BitsOfTheHIT() throws {
        let hit = try #require(HIT("2001:21:ffac:c16a:21b9:393c:b3bc:14de"))
        #expect(LSI.forHIT(hit) == 0x01BC_14DE)
        #expect(IPAddress.v4(LSI.forHIT(hit)).description == "1.188.20.222")
    }

    @Test func lsiAvoidsDotZeroAndDot255() throws {
        let zero = try #require(HIT("2001:21::1:0:0:0"))
        #expect(LSI.forHIT(zero) == 0x0100_0001)
        let broadcast = try #require(HIT("2001:21::ff:ffff"))
        #expect(LSI.forHIT(broadcast) == 0x01FF_FFFE)
        let dot255 = try #require(HIT("2001:21::12:34ff"))
        #expect(LSI.forHIT(dot255) == 0x0112_34FE)
        for lsi in [LSI.forHIT(zero), LSI.forHIT(broadcast), LSI.forHIT(dot255)] {
            #expect(LSI.isValid(lsi))
        }
        #expect(!LSI.isValid(0x0100_0000))
        #expect(!LSI.isValid(0x0200_0001))
    }

    @Test func allocatorResolvesCollisionsStably() throws {
        let first = try #require(HIT("2001:21:1::aa:bbcc"))
        let second = try #require(HIT("2001:21:2::aa:bbcc"))     // same low 24 bits
        let third = try #require(HIT("2001:21:3::aa:bbcd"))      // prefers what `second` gets
        var allocator = LSIAllocator()
        #expect(allocator.assign(first) == 0x01AA_BBCC)
        #expect(allocator.assign(second) == 0x01AA_BBCD)
        #expect(allocator.assign(third) == 0x01AA_BBCE)
        #expect(allocator.assign(first) == 0x01AA_BBCC)           // stable
        #expect(allocator.hit(for: 0x01AA_BBCD) == second)
        allocator.release(first)
        #expect(allocator.lsi(for: first) == nil)
        #expect(allocator.hit(for: 0x01AA_BBCC) == nil)
        let fourth = try #require(HIT("2001:21:4::aa:bbcc"))
        #expect(allocator.assign(fourth) == 0x01AA_BBCC)
    }

    @Test func allocatorSkipsReservedAndBroadcastLikeValuesAndWraps() throws {
        let hitA = try #require(HIT("2001:21:1::ff:fffe"))
        let hitB = try #require(HIT("2001:21:2::ff:fffe"))
        let hitC = try #require(HIT("2001:21:3::12:34fe"))
        var allocator = LSIAllocator(reserved: [0x0112_3501])
        #expect(allocator.assign(hitA) == 0x01FF_FFFE)
        #expect(allocator.assign(hitB) == 0x0100_0001)            // wraps, skipping .255 and 1.0.0.0
        let hitD = try #require(HIT("2001:21:4::12:34fe"))
        #expect(allocator.assign(hitC) == 0x0112_34FE)
        #expect(allocator.assign(hitD) == 0x0112_3502)            // skips .255, .0 and the reserved .1
    }
}

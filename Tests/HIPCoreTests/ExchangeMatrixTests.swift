// The base exchange over the full matrix of HI algorithm × DH group × HIP cipher × ESP suite: both ends
// agree on SPIs and keys, and each negotiated the requested combination (RFC 7401 §5.2.6–8, RFC 7402 §5.1.2).
//
// Cost control: one Responder per HI algorithm is prepared once (offering every group, cipher and suite,
// with NULL cipher and auth-only ESP allowed by policy) and copied into each case (HIPHost is a value);
// the Initiator offers only the case's group, cipher and suite, so the Responder's choice is forced.
import HIPCrypto
import HIPWire
import Synchronization
import Testing
@testable import HIPCore

struct Combination: Sendable, CustomTestStringConvertible {
    let kind: HostIdentityKind
    let group: DHGroup
    let cipher: HIPCipherID
    let suite: ESPSuiteID

    var testDescription: String { "\(kind.rawValue) group \(group.rawValue) cipher \(cipher.rawValue) ESP \(suite.rawValue)" }

    static let kinds: [HostIdentityKind] = [.ecdsaP256, .ecdsaP384, .rsa2048, .ed25519]
    static let all: [Combination] = kinds.flatMap { kind in
        DHGroup.allCases.flatMap { group in
            [HIPCipherID.null, .aes128CBC, .aes256CBC].flatMap { cipher in
                [ESPSuiteID.aesGCM16, .aes128CBCSHA256, .aes256CBCSHA256, .nullSHA256].map {
                    Combination(kind: kind, group: group, cipher: cipher, suite: $0)
                }
            }
        }
    }
}

/// One fully-offering Responder per HI algorithm, built once.
enum PreparedResponders {
    private static let cache = Mutex<[HostIdentityKind: HIPHost]>([:])

    static func everything() -> HostSettings {
        var settings = HostSettings()
        settings.dhGroups = [.nistP256, .nistP384, .modp3072, .modp2048, .modp1536]
        settings.allowsNullHIPCipher = true
        settings.hipCiphers = [.aes128CBC, .aes256CBC, .null]
        settings.allowsAuthenticationOnlyESP = true
        settings.espSuites = [.aesGCM16, .aes128CBCSHA256, .aes256CBCSHA256, .nullSHA256]
        settings.exportsKeymatInputs = true
        return settings
    }

    static func responder(_ kind: HostIdentityKind) throws -> HIPHost {
        try cache.withLock { cache in
            if let host = cache[kind] { return host }
            let host = try HIPHost(identity: try TestIdentities.identity(kind, 1), settings: everything(),
                                   random: SeededRandom(seed: 99), policy: AllowedPeers.anyone, now: .zero)
            cache[kind] = host
            return host
        }
    }
}

@Suite struct ExchangeMatrixTests {
    static func run(initiator: HostIdentity, responder: HIPHost, group: DHGroup, cipher: HIPCipherID,
                    suite: ESPSuiteID) throws -> TestNetwork {
        var settings = HostSettings()
        settings.dhGroups = [group]
        settings.hipCiphers = [cipher]
        settings.allowsNullHIPCipher = cipher == .null
        settings.espSuites = [suite]
        settings.allowsAuthenticationOnlyESP = suite == .nullSHA256
        settings.exportsKeymatInputs = true
        let responderSPIs = RandomSPIAllocator(random: SeededRandom(seed: 7))
        var network = TestNetwork([try TestHosts.make(initiator, settings: settings, seed: 3), (responder, responderSPIs)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        return network
    }

    @Test(arguments: Combination.all)
    func everyCombinationCompletes(_ combination: Combination) throws {
        let responder = try PreparedResponders.responder(combination.kind)
        let network = try Self.run(initiator: try TestIdentities.identity(combination.kind, 0), responder: responder,
                                   group: combination.group, cipher: combination.cipher, suite: combination.suite)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty }, "\(network.peers.map(\.rejections))")
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
        let (sa, _) = try Agreement.expectMirrored(network, 0, 1)
        #expect(sa.suite == combination.suite)
        for (index, other) in [(0, 1), (1, 0)] {
            let association = try #require(network.association(index, with: other))
            #expect(association.dhGroup == combination.group)
            #expect(association.hipCipher == combination.cipher)
            #expect(association.espSuite == combination.suite)
        }
        // With a real cipher the Initiator's HOST_ID travels encrypted; with NULL in the clear.
        let i2 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .i2 }).bytes)
        #expect(i2.has(ParameterType.encrypted) == (combination.cipher != .null))
        #expect(i2.has(ParameterType.hostID) == (combination.cipher == .null))
    }

    /// RSA-3072 is slow to generate; once, with the defaults.
    @Test func rsa3072() throws {
        let (small, great) = (try TestIdentities.identity(.rsa3072, 0), try TestIdentities.identity(.rsa3072, 1))
        var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
        try Agreement.expectMirrored(network, 0, 1)
    }

    /// Initiator and Responder with different HI algorithms (RHASH is the Responder's suite's hash).
    @Test(arguments: Combination.kinds.flatMap { a in Combination.kinds.filter { $0 != a }.map { (a, $0) } })
    func mixedAlgorithms(initiatorKind: HostIdentityKind, responderKind: HostIdentityKind) throws {
        var network = TestNetwork([try TestHosts.make(try TestIdentities.identity(initiatorKind, 0), seed: 1),
                                   try TestHosts.make(try TestIdentities.identity(responderKind, 1), seed: 2)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
        try Agreement.expectMirrored(network, 0, 1)
        // The puzzle #I has the Responder's RHASH length.
        let r1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .r1 }).bytes)
        let expected = try TestIdentities.identity(responderKind, 1).publicIdentity.hitSuite.hash.digestLength
        #expect(r1.puzzle?.random.count == expected)
    }
}

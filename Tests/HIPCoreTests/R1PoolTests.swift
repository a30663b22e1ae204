// The stateless Responder (RFC 7401 §4.1.1, §6.7.1, App. A): precomputed R1s, one HIP_SIGNATURE_2 for every
// I1, #I per Initiator and address pair, rotation with R1_COUNTER, no state kept for I1s.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct R1PoolTests {
    static func responder(now: Instant = .zero) throws -> (HIPHost, HostIdentity) {
        let identity = try TestIdentities.identity(.ecdsaP256, 1)
        let (host, _) = try TestHosts.make(identity, seed: 5, now: now)
        return (host, identity)
    }

    static func r1(_ host: inout HIPHost, from initiator: HIT, at source: String, now: Instant = .zero) throws -> [UInt8] {
        let i1 = HIPPacket(type: .i1, senderHIT: initiator, receiverHIT: host.localHIT, parameters: [.dhGroupList([7])])
        let actions = host.handle(.packet(bytes: i1.serialize(),
                                          source: Endpoint(address: try #require(IPAddress(source)), transport: .udp(port: 10500)),
                                          destination: try #require(IPAddress("192.0.2.100"))), now: now)
        let sends = actions.compactMap { if case .send(let p) = $0 { p } else { nil } }
        try #require(sends.count == 1 && sends[0].type == .r1)
        #expect(sends[0].destination.address == IPAddress(source))
        #expect(sends[0].source == IPAddress("192.0.2.100"))
        return sends[0].bytes
    }

    @Test func oneSignatureServesEveryI1() throws {
        var (host, identity) = try Self.responder()
        let a = try TestIdentities.identity(.ecdsaP256, 0).hit, c = try TestIdentities.identity(.ed25519, 0).hit
        let r1s = [try Self.r1(&host, from: a, at: "198.18.0.1"), try Self.r1(&host, from: c, at: "198.18.0.1"),
                   try Self.r1(&host, from: a, at: "198.18.0.2"), try Self.r1(&host, from: a, at: "198.18.0.1")]
        let packets = try r1s.map { try HIPPacket.parse($0) }
        #expect(packets.map(\.receiverHIT) == [a, c, a, a])
        let signatures = packets.map { $0.first(ParameterType.hipSignature2) }
        #expect(Set(signatures.map { "\(String(describing: $0))" }).count == 1)
        // Each verifies: HIP_SIGNATURE_2 zeroes the Receiver's HIT, Opaque and #I.
        for bytes in r1s {
            let region = try coveredRegion(of: bytes, before: ParameterType.hipSignature2, rule: .signature2)
            guard case .hipSignature2(let signature)? = try HIPPacket.parse(bytes).first(ParameterType.hipSignature2) else {
                Issue.record("no signature")
                continue
            }
            #expect(identity.publicIdentity.verify(signature: signature.signature, over: region))
        }
        // #I depends on the Initiator and its address, and nothing else (same inputs, same #I).
        let puzzles = packets.map { $0.puzzle?.random ?? [] }
        #expect(puzzles[0] != puzzles[1] && puzzles[0] != puzzles[2] && puzzles[0] == puzzles[3])
        #expect(puzzles[0].count == 48)   // SHA-384: the ECDSA HIT suite's RHASH
        let expected = R1Pool.puzzleI(secret: host.pool.current.secret, initiator: a, responder: host.localHIT,
                                      initiatorAddress: try #require(IPAddress("198.18.0.1")),
                                      responderAddress: try #require(IPAddress("192.0.2.100")), k: 4, hash: .sha384)
        #expect(puzzles[0] == expected)
        // No state was created.
        #expect(host.allAssociations.isEmpty)
        #expect(host.counters.sent(.r1) == 4)
    }

    @Test func rotationBumpsTheCounterAndRenewsKeys() throws {
        var (host, _) = try Self.responder()
        let a = try TestIdentities.identity(.ecdsaP256, 0).hit
        let first = try HIPPacket.parse(try Self.r1(&host, from: a, at: "198.18.0.1"))
        // The first action list asked for a wake at the rotation time.
        let actions = host.handle(.timer, now: .zero + .seconds(120))
        #expect(actions.contains { if case .wake(let at) = $0 { at == .zero + .seconds(240) } else { false } })
        #expect(host.counters.puzzleRotations == 1)
        let second = try HIPPacket.parse(try Self.r1(&host, from: a, at: "198.18.0.1", now: .zero + .seconds(121)))
        #expect(first.r1Counter == 1 && second.r1Counter == 2)
        #expect(first.diffieHellman != second.diffieHellman)
        #expect(first.puzzle?.random != second.puzzle?.random)
        #expect(first.puzzle?.opaque == 1 && second.puzzle?.opaque == 2)
        #expect(second.puzzle?.k == 4 && second.puzzle?.lifetime == 37)
    }

    @Test func firstEventRequestsTheRotationWake() throws {
        var (host, _) = try Self.responder()
        let actions = host.handle(.rekey(peer: HIT.null), now: .zero)
        guard case .wake(let at)? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(at == .zero + .seconds(120))
        #expect(host.handle(.rekey(peer: HIT.null), now: .zero).isEmpty)   // unchanged: no new wake
    }

    /// One source flooding I1s gets its burst of R1s and no more, and does not use up the total rate: another
    /// source is still answered; the flooder again once its bucket refills.
    @Test func oneFloodingSourceDoesNotLockOutOthers() throws {
        var (host, settings, a) = try Self.responder(r1RatePerSecond: 50)
        let i1 = HIPPacket(type: .i1, senderHIT: a, receiverHIT: host.localHIT, parameters: [.dhGroupList([7])]).serialize()
        let flooder = Endpoint(address: try #require(IPAddress("198.18.0.1")), transport: .udp(port: 10500))
        for _ in 0..<100 {
            _ = host.handle(.packet(bytes: i1, source: flooder, destination: try #require(IPAddress("192.0.2.100"))),
                            now: .zero)
        }
        #expect(host.counters.sent(.r1) == UInt64(settings.r1RatePerSourcePerSecond))
        #expect(host.counters.rejected(.rateLimited) == UInt64(100 - settings.r1RatePerSourcePerSecond))
        _ = try Self.r1(&host, from: a, at: "198.18.0.2")
        _ = try Self.r1(&host, from: a, at: "198.18.0.1", now: .zero + .milliseconds(100))
        #expect(host.counters.sent(.r1) == UInt64(settings.r1RatePerSourcePerSecond + 2))
    }

    /// The per-source buckets are chosen by a keyed hash: another host (another key) spreads the same
    /// addresses differently, so an attacker cannot pick addresses that share a victim's bucket.
    @Test func sourceBucketsDependOnTheHostKey() throws {
        let addresses = (1...64).map { IPAddress.v4(0xC612_0000 | UInt32($0)) }
        let first = SourceRateLimiter(ratePerSecond: 10, random: SeededRandom(seed: 1), now: .zero)
        let second = SourceRateLimiter(ratePerSecond: 10, random: SeededRandom(seed: 2), now: .zero)
        let buckets = addresses.map { first.bucket(of: $0) }
        #expect(buckets != addresses.map { second.bucket(of: $0) })
        #expect(buckets.allSatisfy { (0..<CoreLimits.r1SourceBuckets).contains($0) })
        #expect(Set(buckets).count > 48)   // spread out (64 into 1024 buckets)
    }

    /// A Responder allowing anyone with a total R1 rate, its settings, and an Initiator's HIT.
    static func responder(r1RatePerSecond: Int) throws -> (HIPHost, HostSettings, HIT) {
        var settings = TestHosts.fastSettings()
        settings.r1RatePerSecond = r1RatePerSecond
        let host = try HIPHost(identity: try TestIdentities.identity(.ecdsaP256, 1), settings: settings,
                               random: SeededRandom(seed: 1), policy: AllowedPeers.anyone, now: .zero)
        return (host, settings, try TestIdentities.identity(.ecdsaP256, 0).hit)
    }

    @Test func r1sAreRateLimited() throws {
        var (host, _, a) = try Self.responder(r1RatePerSecond: 3)
        for _ in 0..<3 { _ = try Self.r1(&host, from: a, at: "198.18.0.1") }
        let i1 = HIPPacket(type: .i1, senderHIT: a, receiverHIT: host.localHIT, parameters: [.dhGroupList([7])])
        let actions = host.handle(.packet(bytes: i1.serialize(), source: Endpoint(address: .v4(1), transport: .udp(port: 10500)),
                                          destination: .v4(2)), now: .zero)
        #expect(!actions.contains { if case .send = $0 { true } else { false } })
        #expect(host.counters.rejected(.rateLimited) == 1)
    }
}

// Loss, duplication and reordering on the virtual wire; I1/I2 retransmission with exponential backoff and
// E-FAILED after the retries (RFC 7401 §4.4.3 Tables 3–4, §6.6, §6.8 step 18, §6.9 step 4).
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct RetransmissionTests {
    static func network(seed: UInt64 = 1) throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, seed: seed), try TestHosts.make(great, seed: seed + 1)])
    }

    @Test(arguments: [PacketType.i1, .r1, .i2, .r2])
    func lossOfOnePacketIsRecovered(_ lost: PacketType) throws {
        var network = try Self.network()
        var dropped = false
        network.intercept = { datagram in
            if datagram.type == lost && !dropped {
                dropped = true
                return []
            }
            return [datagram]
        }
        network.connect(0, to: 1)
        network.run(for: .seconds(30))
        #expect(dropped)
        #expect(network.association(0, with: 1)?.state == .established)
        try Agreement.expectMirrored(network, 0, 1)
        let initiator = network.peers[0].host.counters, responder = network.peers[1].host.counters
        // The Initiator retransmitted once (I1 for a lost I1/R1, I2 for a lost I2/R2), after 1 s.
        #expect(initiator.retransmissions == 1)
        let resent: PacketType = lost == .i1 || lost == .r1 ? .i1 : .i2
        #expect(initiator.sent(resent) == 2)
        let retransmission = try #require(network.sent.first { $0.isRetransmission && $0.from == 0 })
        #expect(retransmission.type == resent && retransmission.sentAt == Instant.zero + .seconds(1))
        // A lost R2 is answered from the cached R2, not by a second association.
        #expect(responder.duplicateI2sAnswered == (lost == .r2 ? 1 : 0))
        #expect(responder.associationsEstablished == 1)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
        guard case .established(_, .initiator, let latency?)? = network.peers[0].reports.last else {
            Issue.record("no established report")
            return
        }
        #expect(latency == .seconds(1))
    }

    @Test func duplicatedPacketsAreHarmless() throws {
        var network = try Self.network()
        network.intercept = { [$0, $0] }
        network.connect(0, to: 1)
        network.run(for: .seconds(30))
        #expect(network.association(0, with: 1)?.state == .established)
        try Agreement.expectMirrored(network, 0, 1)
        // Two I1s give two R1s, each delivered twice: the first is answered, the other three are copies of it
        // (counted, not rejected). The duplicate I2 is answered from the cache: two R2s, each delivered
        // twice; three of them find ESTABLISHED.
        #expect(network.peers[0].host.counters.duplicateR1s == 3)
        #expect(network.peers[0].host.counters.rejected(.staleR1) == 0)
        #expect(network.peers[0].host.counters.rejected(.unexpected) == 3)
        #expect(network.peers[0].rejections.count == 3)
        #expect(network.peers[1].host.counters.duplicateI2sAnswered == 1)
        #expect(network.peers[1].host.counters.associationsEstablished == 1)
        #expect(network.peers[1].rejections.isEmpty)
    }

    /// The R2 is held back until the I2 has been retransmitted: the Responder answers the retransmission
    /// from its cache, and the two R2s arrive in reverse order.
    @Test func reorderedR2AndRetransmittedI2() throws {
        var network = try Self.network()
        var held: [Datagram] = []
        network.intercept = { datagram in
            if datagram.type == .r2 && held.count < 2 {
                held.append(datagram)
                return []
            }
            return [datagram]
        }
        network.connect(0, to: 1)
        network.run(for: .milliseconds(1500))   // the I2 is retransmitted at 1 s; both R2s are held
        #expect(held.count == 2)
        #expect(network.association(0, with: 1)?.state == .i2Sent)
        network.intercept = nil
        network.deliver(held[1])
        network.deliver(held[0])
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.peers[0].rejectionReasons == [.unexpected])
        try Agreement.expectMirrored(network, 0, 1)
        #expect(held[0].bytes == held[1].bytes)   // the cached R2, byte for byte
    }

    /// In I2-SENT, a copy of the R1 answered (the I1 went out over raw IP and UDP) is a duplicate; another
    /// R1 of the same generation (here with another #I) or an older one stays a rejection.
    @Test func copiesOfTheAnsweredR1AreDuplicates() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        let i1 = network.queue.removeFirst()
        network.deliver(i1)
        let r1 = network.queue.removeFirst()
        network.deliver(r1)
        #expect(network.association(0, with: 1)?.state == .i2Sent)
        network.deliver(r1)
        #expect(network.peers[0].host.counters.duplicateR1s == 1)
        #expect(network.peers[0].rejections.isEmpty)
        let puzzle = try #require(tlvLayout(r1.bytes).first { $0.type == ParameterType.puzzle })
        var other = r1
        other.bytes[puzzle.contents.upperBound - 1] ^= 0x01
        network.deliver(other)
        #expect(network.peers[0].rejectionReasons == [.staleR1])
        #expect(network.peers[0].host.counters.duplicateR1s == 1)
        #expect(network.queue.map(\.type) == [.i2])   // only the first I2: nothing answered again
    }

    /// An R1 delayed past a newer R1: the stale one is refused in I2-SENT.
    @Test func reorderedR1s() throws {
        var network = try Self.network()
        var held: Datagram?
        network.intercept = { datagram in
            if datagram.type == .r1 && held == nil {
                held = datagram
                return []
            }
            return [datagram]
        }
        network.connect(0, to: 1)
        network.run(for: .milliseconds(1500))  // I1 retransmitted at 1 s, second R1 answered, I2 sent, R2 back
        #expect(network.association(0, with: 1)?.state == .established)
        network.intercept = nil
        network.deliver(try #require(held))
        #expect(network.peers[0].rejectionReasons == [.unexpected])
        try Agreement.expectMirrored(network, 0, 1)
    }

    @Test func failsAfterI1Retries() throws {
        var network = try Self.network()
        network.intercept = { $0.from == 0 ? [] : [$0] }
        network.connect(0, to: 1)
        network.run(for: .seconds(60))
        let settings = network.peers[0].host.settings
        // 1 + I1_RETRIES_MAX I1s, at 0, 1, 3, 7, 15 s (backoff 1, 2, 4, 8 capped at 8).
        let times = network.sent.filter { $0.type == .i1 }.map { $0.sentAt - .zero }
        #expect(times == [.zero, .seconds(1), .seconds(3), .seconds(7), .seconds(15)])
        #expect(times.count == 1 + settings.i1Retransmission.maximumRetries)
        guard case .failed(_, .noResponseToI1)? = network.peers[0].reports.last else {
            Issue.record("no failure report: \(network.peers[0].reports)")
            return
        }
        // E-FAILED held down, then UNASSOCIATED: a new attempt may start.
        #expect(network.association(0, with: 1) == nil)   // hold-down (5 s) has passed by 60 s
        #expect(network.peers[0].host.counters.associationsFailed == 1)
    }

    @Test func holdDownThenRetry() throws {
        var network = try Self.network()
        network.intercept = { $0.from == 0 ? [] : [$0] }
        network.connect(0, to: 1)
        network.run(for: .seconds(24))   // the last I1 times out at 23 s: E-FAILED until 28 s
        #expect(network.association(0, with: 1)?.state == .failed)
        network.connect(0, to: 1)
        #expect(network.peers[0].host.counters.outboundDuringHoldDown == 1)
        #expect(network.sent.filter { $0.type == .i1 }.count == 5)
        network.run(for: .seconds(5))
        #expect(network.association(0, with: 1) == nil)
        network.intercept = nil
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
    }

    @Test func failsAfterI2Retries() throws {
        var network = try Self.network()
        network.intercept = { $0.type == .r2 ? [] : [$0] }
        network.connect(0, to: 1)
        network.run(for: .seconds(60))
        #expect(network.sent.filter { $0.type == .i2 }.count == 5)
        #expect(network.peers[0].reports.contains {
            if case .failed(_, .noResponseToI2) = $0 { true } else { false }
        })
        #expect(network.peers[0].sas.isEmpty)
        #expect(network.peers[0].spis.allocatedCount == 0)   // the I2's inbound SPI was released
        // The Responder answered every retransmission from its cache and reached ESTABLISHED by timeout.
        #expect(network.peers[1].host.counters.duplicateI2sAnswered == 4)
        #expect(network.association(1, with: 0)?.state == .established)
    }
}

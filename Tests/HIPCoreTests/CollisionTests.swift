// Simultaneous open (RFC 7401 §4.4.3 Tables 3–4, §6.7 step 3, §6.9 step 5) and peer restart (§4.5.4,
// §6.9 step 20).
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct CollisionTests {
    /// Peer 0 has the smaller HIT, peer 1 the greater.
    static func network() throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, seed: 11), try TestHosts.make(great, seed: 12)])
    }

    /// Both send I1 at once: the smaller HIT drops the peer's I1, the greater answers it with R1 and becomes
    /// the Responder.
    @Test func simultaneousI1s() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.connect(1, to: 0)
        network.run(for: .seconds(30))
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(0, with: 1)?.role == .initiator)
        #expect(network.association(1, with: 0)?.state == .established)   // Exchange Complete timeout
        #expect(network.association(1, with: 0)?.role == .responder)
        try Agreement.expectMirrored(network, 0, 1)
        #expect(network.peers[0].rejectionReasons.allSatisfy { $0 == .simultaneousOpenYield })
        #expect(network.peers[0].rejectionReasons.count == 1)
        #expect(network.peers[1].rejections.isEmpty)
        // The greater host's own I1 stopped when its I2 answer arrived: one I1, no I2 of its own (then, over
        // UDP, a NAT keepalive after 15 s with nothing sent).
        #expect(network.sentTypes(from: 1) == [.i1, .r1, .r2, .notify])
        #expect(network.peers[1].spis.allocatedCount == 1)
    }

    /// Both reach I2-SENT: the greater HIT processes the peer's I2 and sends R2; the smaller drops the
    /// greater's I2 and completes as Initiator.
    @Test func simultaneousI2s() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.deliver(network.queue.removeFirst())   // I1 → peer 1: R1 queued
        network.deliver(network.queue.removeFirst())   // R1 → peer 0: I2-SENT, its I2 queued
        let heldI2 = network.queue.removeFirst()
        #expect(heldI2.type == .i2 && heldI2.from == 0)
        network.connect(1, to: 0)                      // peer 1's I1 reaches peer 0 in I2-SENT: R1 back
        network.deliver(network.queue.removeFirst())
        network.deliver(network.queue.removeFirst())   // peer 1 gets R1: I2-SENT, its I2 queued
        #expect(network.association(1, with: 0)?.state == .i2Sent)
        network.deliver(heldI2)                        // greater HIT in I2-SENT takes peer 0's I2
        #expect(network.association(1, with: 0)?.state == .r2Sent)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.peers[0].rejectionReasons == [.simultaneousOpenYield])
        try Agreement.expectMirrored(network, 0, 1)
        // Peer 1's I2-SENT SPI was released when it became Responder.
        #expect(network.peers[1].spis.allocatedCount == 1)
        #expect(network.peers[0].spis.allocatedCount == 1)
    }

    /// Peer 0 (Initiator) loses its state and starts again: peer 1, ESTABLISHED, answers the I1 with an R1
    /// and replaces the association on the new valid I2, with new SPIs and keys.
    @Test func peerRestart() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        network.sendESP(0, to: 1)
        let (old, _) = try Agreement.expectMirrored(network, 0, 1)
        #expect(network.association(1, with: 0)?.state == .established)

        // Restart: a fresh host with the same identity, no SAs.
        let identity = try TestIdentities.pair(.ecdsaP256).smaller
        let (fresh, spis) = try TestHosts.make(identity, seed: 77)
        network.peers[0] = TestPeer(host: fresh, addresses: network.peers[0].addresses, spis: spis)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))

        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
        let (new, _) = try Agreement.expectMirrored(network, 0, 1)
        #expect(new.inboundSPI != old.inboundSPI && new.outboundSPI != old.outboundSPI)
        #expect(new.outboundKeys.encryption.bytes != old.outboundKeys.encryption.bytes)
        #expect(network.peers[1].reports.contains { if case .replaced = $0 { true } else { false } })
        #expect(network.peers[1].host.counters.associationsReplaced == 1)
        #expect(network.peers[1].spis.allocatedCount == 1)   // the old inbound SPI was released
        #expect(network.peers[1].rejections.isEmpty)
    }

    /// The Responder restarts and initiates towards the old Initiator.
    @Test func responderRestart() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let identity = try TestIdentities.pair(.ecdsaP256).greater
        let (fresh, spis) = try TestHosts.make(identity, seed: 78)
        network.peers[1] = TestPeer(host: fresh, addresses: network.peers[1].addresses, spis: spis)
        network.connect(1, to: 0)
        network.run(for: .seconds(1))
        #expect(network.association(1, with: 0)?.state == .established)
        #expect(network.association(0, with: 1)?.role == .responder)
        try Agreement.expectMirrored(network, 0, 1)
        #expect(network.peers[0].host.counters.associationsReplaced == 1)
    }
}

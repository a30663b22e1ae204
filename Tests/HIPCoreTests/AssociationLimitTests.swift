// The association cap (HostSettings.maximumAssociations): a Responder full of associations with limited
// peers refuses one more I2 after its puzzle (NOTIFY RESPONDER_BUSY_PLEASE_RETRY) and does not start one
// itself; peers the policy does not limit still get in; an existing association may be replaced.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct AssociationLimitTests {
    /// Everyone allowed; only the HITs in `limited` count toward the cap.
    struct LimitedPeers: PeerPolicy {
        let limited: Set<HIT>
        func allows(_ peer: HIT) -> Bool { true }
        func isLimited(_ peer: HIT) -> Bool { limited.contains(peer) }
    }

    /// Host 0 with room for two limited associations; hosts 1...4 as peers.
    static func network(exempt: Int? = nil) throws -> TestNetwork {
        let identities = try (0...4).map { try TestIdentities.identity(.ecdsaP256, $0) }
        var limited = Set(identities[1...].map(\.hit))
        if let exempt { limited.remove(identities[exempt].hit) }
        var settings = TestHosts.fastSettings()
        settings.maximumAssociations = 2
        let responder = try TestHosts.make(identities[0], settings: settings, seed: 10, policy: LimitedPeers(limited: limited))
        return TestNetwork([responder] + (try (1...4).map { try TestHosts.make(identities[$0], seed: UInt64($0)) }))
    }

    @Test func aFullHostRefusesTheNextPeerAfterItsPuzzleAndStartsNoneItself() throws {
        var network = try Self.network()
        network.connect(1, to: 0)
        network.connect(2, to: 0)
        network.run(for: .seconds(1))
        #expect(network.association(1, with: 0)?.state == .established)
        #expect(network.association(2, with: 0)?.state == .established)
        #expect(network.association(0, with: 1)?.state == .r2Sent && network.association(0, with: 2)?.state == .r2Sent)

        network.connect(3, to: 0)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 3) == nil)
        #expect(network.association(3, with: 0)?.state != .established)
        // Host 3 got an R1 (I1s cost no state) and solved the puzzle; its I2 was refused.
        #expect(network.sent.contains { $0.from == 0 && $0.to == 3 && $0.type == .r1 })
        #expect(network.peers[0].rejectionReasons.contains(.associationLimit))
        let busy = network.sent.filter { $0.from == 0 && $0.to == 3 && $0.type == .notify }
        #expect(busy.count >= 1)
        let notify = try HIPPacket.parse(try #require(busy.first).bytes)
        #expect(notify.notifications.map(\.type) == [NotifyType.responderBusyPleaseRetry])

        // Our own new exchange is refused the same way; a re-keyed association with a peer we have is not.
        network.handle(.outboundData(peer: network.peers[4].host.localHIT, endpoints: [network.endpoint(4)]), at: 0)
        let stranger = network.peers[4].host.localHIT
        #expect(network.peers[0].reports.contains {
            if case .failed(stranger, .associationLimit) = $0 { true } else { false }
        })
        #expect(network.association(0, with: 4) == nil)
        #expect(!network.peers[0].host.associationLimitReached(for: network.peers[1].host.localHIT))
    }

    @Test func peersThePolicyDoesNotLimitStillGetIn() throws {
        var network = try Self.network(exempt: 3)
        for peer in 1...3 { network.connect(peer, to: 0) }
        network.run(for: .seconds(1))
        for peer in 1...3 { #expect(network.association(peer, with: 0)?.state == .established, "peer \(peer)") }
        #expect(!network.peers[0].rejectionReasons.contains(.associationLimit))
    }
}

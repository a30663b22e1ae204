// Rekeying with UPDATE in the virtual network (RFC 7402 §6): new SPIs and keys in both directions, with or
// without a new Diffie-Hellman, by request, by age, crossing rekeys, and no packet lost at the switch.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct RekeyTests {
    static func established(_ settings: HostSettings = TestHosts.fastSettings()) throws -> TestNetwork {
        try MobilityTests.established(settings: settings)
    }

    /// Both directions open on the SAs each side uses now, and the two ends agree on SPIs.
    static func expectAgreement(_ network: TestNetwork, sourceLocation: SourceLocation = #_sourceLocation) {
        let a = network.association(0, with: 1), b = network.association(1, with: 0)
        #expect(a?.inboundSPI == b?.outboundSPI && a?.outboundSPI == b?.inboundSPI, sourceLocation: sourceLocation)
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0), sourceLocation: sourceLocation)
    }

    @Test(arguments: [true, false])
    func rekeyReplacesBothSAs(withDiffieHellman: Bool) throws {
        var settings = TestHosts.fastSettings()
        settings.rekeysWithDiffieHellman = withDiffieHellman
        var network = try Self.established(settings)
        let before = (network.association(0, with: 1)?.inboundSPI, network.association(0, with: 1)?.outboundSPI)
        let oldKeys = try #require(network.peers[0].outbound[network.peers[1].host.localHIT]?.keys)
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.run(for: .seconds(1))
        let after = (network.association(0, with: 1)?.inboundSPI, network.association(0, with: 1)?.outboundSPI)
        #expect(after.0 != before.0 && after.1 != before.1)
        Self.expectAgreement(network)
        let newKeys = try #require(network.peers[0].outbound[network.peers[1].host.localHIT]?.keys)
        #expect(newKeys.encryption.bytes != oldKeys.encryption.bytes)
        let dh = network.sent.filter { $0.type == .update }.compactMap { try? HIPPacket.parse($0.bytes).diffieHellman }
        #expect(dh.count == (withDiffieHellman ? 2 : 0))
        #expect(network.peers.allSatisfy { $0.host.counters.rekeys == 1 && $0.rejections.isEmpty })
        // The old inbound SAs drain, then go, and their SPIs are free again.
        network.run(for: settings.saDrainTime + .seconds(1))
        #expect(network.peers.allSatisfy { $0.inbound.count == 1 && $0.spis.allocatedCount == 1 })
    }

    /// ESP keeps opening at every step of the rekey, whichever packet is in flight: no packet is lost.
    @Test func noPacketIsLostAcrossTheSwitch() throws {
        var network = try Self.established()
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        while !network.queue.isEmpty {
            #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
            network.deliver(network.queue.removeFirst())
        }
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
        Self.expectAgreement(network)
        #expect(network.peers.allSatisfy { $0.host.counters.rekeys == 1 })
    }

    /// The Responder of a rekey switches when traffic arrives on its new inbound SA, before the final ACK.
    @Test func trafficOnTheNewSASwitchesTheResponder() throws {
        var network = try Self.established()
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.deliver(network.queue.removeFirst())          // 0's UPDATE(ESP_INFO, DH) at 1
        network.deliver(network.queue.removeFirst())          // 1's UPDATE(ESP_INFO, DH, ACK) at 0
        network.queue.removeAll()                             // 0's final ACK is lost
        let opened = network.sendESP(0, to: 1)                // 0 already sends on the new SA
        #expect(opened)
        #expect(network.peers[1].host.counters.rekeys == 1)
        Self.expectAgreement(network)
    }

    @Test func bothEndsRekeyAtOnce() throws {
        var network = try Self.established()
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.handle(.rekey(peer: network.peers[0].host.localHIT), at: 1)
        network.run(for: .seconds(2))
        Self.expectAgreement(network)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty && $0.host.association(for: $0.host.localHIT) == nil })
        network.run(for: .seconds(20))
        #expect(network.peers.allSatisfy { $0.inbound.count == 1 && $0.spis.allocatedCount == 1 })
    }

    @Test func rekeyByAge() throws {
        var settings = TestHosts.fastSettings()
        settings.rekeyInterval = .seconds(60)
        var network = try Self.established(settings)
        let first = network.association(0, with: 1)?.outboundSPI
        network.run(for: .seconds(61))
        #expect(network.association(0, with: 1)?.outboundSPI != first)
        Self.expectAgreement(network)
        network.run(for: .seconds(60))
        #expect(network.peers.allSatisfy { $0.host.counters.rekeys >= 2 })
        Self.expectAgreement(network)
    }

    /// A lost UPDATE of a rekey is retransmitted; a replayed one is answered from the cache and changes nothing.
    @Test func lossAndReplayDuringARekey() throws {
        var network = try Self.established()
        var dropped = false
        network.intercept = { datagram in
            if datagram.type == .update && !dropped {
                dropped = true
                return []
            }
            return [datagram]
        }
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.run(for: .seconds(3))
        Self.expectAgreement(network)
        let spis = (network.association(1, with: 0)?.inboundSPI, network.association(1, with: 0)?.outboundSPI)
        for datagram in network.sent where datagram.type == .update && datagram.from == 0 { network.deliver(datagram) }
        network.run(for: .seconds(1))
        #expect((network.association(1, with: 0)?.inboundSPI, network.association(1, with: 0)?.outboundSPI) == spis)
        Self.expectAgreement(network)
    }
}

/// The Unused Association Lifetime lives in the core (RFC 7401 §4.4.3): traffic counts and UPDATEs keep an
/// association; without either for the lifetime it is closed with CLOSE.
@Suite struct UnusedAssociationTests {
    @Test func anAssociationWithoutTrafficIsClosedAfterTheLifetime() throws {
        var settings = TestHosts.fastSettings()
        settings.unusedAssociationLifetime = .seconds(60)
        var network = try MobilityTests.established(settings: settings)
        let peer1 = network.peers[1].host.localHIT
        network.run(for: .seconds(40))
        network.handle(.trafficCounts([peer1: TrafficCount(sent: 4, received: 6)]), at: 0)        // traffic: the clock starts again
        network.handle(.trafficCounts([network.peers[0].host.localHIT: TrafficCount(sent: 4, received: 6)]), at: 1)
        network.run(for: .seconds(40))
        #expect(network.association(0, with: 1)?.state == .established)
        network.handle(.trafficCounts([peer1: TrafficCount(sent: 4, received: 6)]), at: 0)        // unchanged: no traffic
        network.run(for: .seconds(30))
        #expect(network.association(0, with: 1) == nil || network.association(0, with: 1)?.state == .closed)
        #expect(network.peers[0].host.counters.associationsUnused == 1)
        #expect(network.sent.contains { $0.type == .close && $0.from == 0 })
        #expect(network.peers[0].reports.contains { if case .unused(peer1, .seconds(60)) = $0 { true } else { false } })
    }
}

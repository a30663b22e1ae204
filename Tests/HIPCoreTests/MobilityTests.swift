// Mobility and multihoming in the virtual network (RFC 8046): a host that moves announces its addresses
// with UPDATE, the peer verifies the new locator (ECHO_REQUEST_SIGNED / ECHO_RESPONSE_SIGNED) before ESP
// goes there; loss, reordering, a family change, both hosts moving, and an attacker on the path.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct MobilityTests {
    static func established(ipv6: Bool = false, settings: HostSettings = TestHosts.fastSettings()) throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, settings: settings, seed: 1),
                                   try TestHosts.make(great, settings: settings, seed: 2)], ipv6: ipv6)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let opened = network.sendESP(0, to: 1) && network.sendESP(1, to: 0)   // the Responder is ESTABLISHED
        #expect(opened)
        return network
    }

    static func address(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    /// Host 0 takes `addresses` (losing the old ones) and tells its core.
    static func move(_ network: inout TestNetwork, _ index: Int, to addresses: [IPAddress]) {
        network.peers[index].addresses = addresses
        network.handle(.localAddressesChanged(addresses), at: index)
    }

    @Test func aHostThatMovesKeepsItsAssociation() throws {
        var network = try Self.established()
        let new = try Self.address("192.0.2.101")
        Self.move(&network, 0, to: [new])
        network.run(for: .seconds(2))

        #expect(network.espDestination(1, to: 0) == new)
        #expect(network.opens(1, to: 0) && network.opens(0, to: 1))
        let locators = try #require(network.association(1, with: 0)).peerLocators
        #expect(locators.contains { $0.endpoint.address == new && $0.state == "ACTIVE" && $0.carriesTraffic })
        #expect(locators.contains { $0.endpoint.address == (try? Self.address("192.0.2.1")) && $0.state == "DEPRECATED" })
        // MN: UPDATE(SEQ, LOCATOR_SET), CN: UPDATE(SEQ, ACK, ECHO_REQUEST), MN: UPDATE(ACK, ECHO_RESPONSE).
        let updates = network.sent.filter { $0.type == .update }
        #expect(updates.count == 3 && !updates.contains(where: \.isRetransmission))
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
        #expect(network.peers[1].host.counters.moves == 1)
        #expect(network.association(0, with: 1)?.state == .established)
        // Nothing left to do: no UPDATE in flight, so no more wakes than the puzzle rotation.
        network.run(for: .seconds(30))
        #expect(network.sent.filter { $0.type == .update }.count == 3)
    }

    @Test(arguments: [0, 1, 2])
    func lossOfAnyUpdateIsRecovered(dropped: Int) throws {
        var network = try Self.established()
        var seen = 0
        network.intercept = { datagram in
            guard datagram.type == .update else { return [datagram] }
            seen += 1
            return seen == dropped + 1 ? [] : [datagram]
        }
        let new = try Self.address("192.0.2.101")
        Self.move(&network, 0, to: [new])
        network.run(for: .seconds(5))
        #expect(network.espDestination(1, to: 0) == new)
        #expect(network.opens(1, to: 0))
        #expect(network.association(0, with: 1)?.state == .established && network.association(1, with: 0)?.state == .established)
    }

    /// Reordering: the second move's UPDATE overtakes the first; the peer ends up on the last address.
    @Test func aMoveWhileAnUpdateIsInFlight() throws {
        var network = try Self.established()
        let first = try Self.address("192.0.2.101"), second = try Self.address("192.0.2.102")
        Self.move(&network, 0, to: [first])
        let held = network.queue
        network.queue.removeAll()
        Self.move(&network, 0, to: [second])
        network.deliverAll()
        for datagram in held { network.deliver(datagram) }   // the stale UPDATE arrives last
        network.run(for: .seconds(5))
        #expect(network.espDestination(1, to: 0) == second)
        #expect(network.opens(1, to: 0))
        #expect(network.peers[1].rejectionReasons.allSatisfy { $0 == .staleUpdate })
    }

    /// From IPv4 to IPv6 and back: the moving host verifies the peer's configured locator of its new family.
    @Test func aMoveFromIPv4ToIPv6AndBack() throws {
        var network = try Self.established()
        let v4Peer = network.peers[1].address, v6Peer = try Self.address("2001:db8::2")
        network.peers[1].addresses.append(v6Peer)
        network.handle(.localAddressesChanged(network.peers[1].addresses), at: 1)
        network.run(for: .seconds(2))
        let transport = network.transport
        network.handle(.peerLocators(peer: network.peers[1].host.localHIT,
                                     endpoints: [Endpoint(address: v6Peer, transport: transport)]), at: 0)
        let v6 = try Self.address("2001:db8::1")
        Self.move(&network, 0, to: [v6])
        network.run(for: .seconds(5))
        #expect(network.espDestination(0, to: 1) == v6Peer)
        #expect(network.espDestination(1, to: 0) == v6)
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))

        let v4 = try Self.address("192.0.2.201")
        Self.move(&network, 0, to: [v4])
        network.run(for: .seconds(5))
        #expect(network.espDestination(0, to: 1) == v4Peer)
        #expect(network.espDestination(1, to: 0) == v4)
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
    }

    /// Both hosts move at once: each UPDATE first goes to the other's old address; retransmissions verify the
    /// configured new locators, and both directions converge.
    @Test func bothHostsMoveAtOnce() throws {
        var network = try Self.established()
        let new0 = try Self.address("192.0.2.101"), new1 = try Self.address("192.0.2.102")
        let transport = network.transport
        network.handle(.peerLocators(peer: network.peers[1].host.localHIT,
                                     endpoints: [Endpoint(address: new1, transport: transport)]), at: 0)
        network.handle(.peerLocators(peer: network.peers[0].host.localHIT,
                                     endpoints: [Endpoint(address: new0, transport: transport)]), at: 1)
        network.peers[0].addresses = [new0]
        network.peers[1].addresses = [new1]
        network.handle(.localAddressesChanged([new0]), at: 0)
        network.handle(.localAddressesChanged([new1]), at: 1)
        network.run(for: .seconds(10))
        #expect(network.espDestination(0, to: 1) == new1)
        #expect(network.espDestination(1, to: 0) == new0)
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
    }

    /// ESP from a new source (a peer behind a rebinding NAT, or an attacker replaying a packet from a spoofed
    /// address) makes the source a candidate: verified before use, and never used if the echo fails.
    @Test func espFromANewSourceIsVerifiedBeforeUse() throws {
        var network = try Self.established()
        let peer0 = network.peers[0].host.localHIT
        let spi = try #require(network.association(1, with: 0)?.inboundSPI)
        let victim = Endpoint(address: try Self.address("203.0.113.9"), transport: network.transport)
        network.handle(.espReceived(peer: peer0, spi: spi, source: victim), at: 1)
        network.run(for: .seconds(30))
        let locator = try #require(network.association(1, with: 0)?.peerLocators.first { $0.endpoint == victim })
        #expect(!locator.carriesTraffic && locator.state != "ACTIVE")
        #expect(network.peers[1].outbound[peer0]?.destination.address == network.peers[0].address)
        #expect(network.opens(1, to: 0))
        // Only signaling went to the candidate (the echo), and a bounded number of times.
        let toVictim = network.sent.filter { $0.destination == victim.address }
        #expect(toVictim.allSatisfy { $0.type == .update } && toVictim.count <= 1 + HostSettings().updateRetransmission.maximumRetries)

        // A real rebinding: the peer's packets come from a new address it holds: verified, then used.
        let rebound = try Self.address("192.0.2.77")
        network.peers[0].addresses = [rebound]
        network.handle(.espReceived(peer: peer0, spi: spi, source: Endpoint(address: rebound, transport: network.transport)), at: 1)
        network.run(for: .seconds(2))
        #expect(network.peers[1].outbound[peer0]?.destination.address == rebound)
    }

    /// Bad input changes nothing: a replayed UPDATE, a tampered one (MAC), a wrong echo.
    @Test func badUpdatesChangeNothing() throws {
        var network = try Self.established()
        let new = try Self.address("192.0.2.101")
        Self.move(&network, 0, to: [new])
        network.run(for: .seconds(2))
        let updates = network.sent.filter { $0.type == .update }
        let before = network.peers[1].outbound[network.peers[0].host.localHIT]?.destination

        // Replays of the announcement (SEQ already processed: answered again from the cache, no change) and
        // of the echo response (its nonce is no longer outstanding).
        for datagram in updates { network.deliver(datagram) }
        network.deliverAll()
        #expect(network.peers[1].rejectionReasons.contains(.echoMismatch))
        #expect(network.peers[1].outbound[network.peers[0].host.localHIT]?.destination == before)

        // Tampered: one byte of the LOCATOR_SET changed.
        var forged = updates[0]
        forged.bytes[60] ^= 0x01
        network.deliver(forged)
        #expect(network.peers[1].rejectionReasons.last == .macFailed)
        #expect(network.peers[1].outbound[network.peers[0].host.localHIT]?.destination == before)
        #expect(network.opens(1, to: 0))
    }
}

extension MobilityTests {
    /// Over raw HIP the data plane reports ESP sources as UDP endpoints: the current locator's address is
    /// the current locator, not a move (no verification, no UPDATE).
    @Test func espOverUDPFromARawLocatorIsNotAMove() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)], transport: .raw)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let spi = try #require(network.association(0, with: 1)?.inboundSPI)
        let udp = Endpoint(address: network.peers[1].address, transport: .udp(port: 10500))
        network.handle(.espReceived(peer: great.hit, spi: spi, source: udp), at: 0)
        network.run(for: .seconds(2))
        #expect(!network.sent.contains { $0.type == .update })
        #expect(network.association(0, with: 1)?.peerLocators.count == 1)
    }
}

extension MobilityTests {
    /// A multihomed host drops its first address and later takes it back: the peer deprecated it meanwhile,
    /// so it is verified again (a new echo) before ESP returns there.
    @Test func anAddressTakenBackIsVerifiedAgain() throws {
        var network = try Self.established()
        let home = network.peers[0].address, away = try Self.address("192.0.2.101")
        Self.move(&network, 0, to: [home, away])   // multihomed: both announced, the away one verified on use
        network.run(for: .seconds(2))
        Self.move(&network, 0, to: [away])
        network.run(for: .seconds(2))
        #expect(network.espDestination(1, to: 0) == away)
        let sentBefore = network.sent.count
        Self.move(&network, 0, to: [home, away])
        network.run(for: .seconds(2))
        #expect(network.espDestination(1, to: 0) == home)
        #expect(network.opens(1, to: 0))
        let echoes = network.sent[sentBefore...].filter {
            $0.from == 1 && $0.destination == home && (try? HIPPacket.parse($0.bytes))?.echoRequestSigned != nil
        }
        #expect(echoes.count == 1)
    }
}

extension MobilityTests {
    /// A route change (the same addresses again) resends the UPDATE in flight at once, not at its next
    /// timeout; with nothing in flight it sends nothing.
    @Test func aRouteChangeResendsTheUpdateInFlight() throws {
        var network = try Self.established()
        let new = try Self.address("192.0.2.101")
        network.intercept = { $0.type == .update ? [] : [$0] }   // the announcement gets nowhere yet
        Self.move(&network, 0, to: [new])
        network.deliverAll()
        let sent = network.sent.count
        network.intercept = nil
        network.handle(.localAddressesChanged([new]), at: 0)      // a route appeared
        #expect(network.sent.count == sent + 1 && network.sent.last?.isRetransmission == true)
        network.run(for: .seconds(1))
        #expect(network.espDestination(1, to: 0) == new)
        let settled = network.sent.count
        network.handle(.localAddressesChanged([new]), at: 0)
        #expect(network.sent.count == settled)
    }
}

extension MobilityTests {
    /// Two networks with no route between them (two container networks): the peer is on both, the host on
    /// the first, then only on the second. The peer verifies the host's new address, and sends ESP there,
    /// from its own address on the second network (chosen by routing), not from the one it reached the host
    /// with on the first, which the host can no longer reach: without that the host's answers never arrive
    /// and the peer keeps sending to the old address.
    @Test func aMoveToTheOtherNetworkOfAMultihomedPeer() throws {
        var network = try Self.established()
        let peerFirst = network.peers[1].address, peerSecond = try Self.address("198.51.100.2")
        network.peers[1].addresses.append(peerSecond)
        network.handle(.localAddressesChanged(network.peers[1].addresses), at: 1)
        network.run(for: .seconds(2))
        network.handle(.peerLocators(peer: network.peers[1].host.localHIT,
                                     endpoints: [Endpoint(address: peerFirst, transport: network.transport),
                                                 Endpoint(address: peerSecond, transport: network.transport)]), at: 0)
        // Only packets within one network arrive.
        network.intercept = { TestNetwork.sameNetwork($0.source.address, $0.destination) ? [$0] : [] }
        let moved = try Self.address("198.51.100.1")
        Self.move(&network, 0, to: [moved])
        network.run(for: .seconds(10))
        #expect(network.espDestination(0, to: 1) == peerSecond)
        #expect(network.espDestination(1, to: 0) == moved)
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
        // The peer sent nothing from its first network's address to the second network.
        #expect(!network.sent.contains { $0.from == 1 && $0.source.address == peerFirst && $0.destination == moved })
        #expect(network.association(1, with: 0)?.state == .established)
    }
}

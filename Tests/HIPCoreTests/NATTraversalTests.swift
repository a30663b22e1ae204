// NAT traversal in the core (RFC 9028): NAT_TRAVERSAL_MODE negotiated in R1/I2 (NOTIFY 60 for an I2 that
// gets it wrong), NAT keepalives on an idle UDP path (over raw HIP: the UDP path ESP takes), and a NAT
// rebinding followed only after the new address answered an echo.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct NATTraversalTests {
    static func network(settings: HostSettings = TestHosts.fastSettings(), transport: Transport = .udp(port: 10500)) throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, settings: settings, seed: 1),
                            try TestHosts.make(great, settings: settings, seed: 2)], transport: transport)
    }

    static func established() throws -> TestNetwork {
        var network = try network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.sendESP(0, to: 1) && network.sendESP(1, to: 0))
        return network
    }

    static func parameters(of datagram: Datagram) throws -> HIPPacket { try HIPPacket.parse(datagram.bytes) }

    @Test func r1OffersAndI2ChoosesUDPEncapsulation() throws {
        var network = try Self.established()
        let r1 = try Self.parameters(of: try #require(network.sent.first { $0.type == .r1 }))
        let i2 = try Self.parameters(of: try #require(network.sent.first { $0.type == .i2 }))
        #expect(r1.natTraversalMode == [NATTraversalMode.udpEncapsulation])
        #expect(i2.natTraversalMode == [NATTraversalMode.udpEncapsulation])
        network.run(for: .seconds(1))
        #expect(network.association(1, with: 0)?.state == .established)
    }

    /// The Initiator picks the Responder's first mode it supports, not its own first.
    @Test func initiatorFollowsTheResponderPreference() throws {
        var responder = TestHosts.fastSettings()
        responder.natTraversalModes = [NATTraversalMode.udpEncapsulation, NATTraversalMode.iceHIPUDP]
        var initiator = TestHosts.fastSettings()
        initiator.natTraversalModes = [NATTraversalMode.iceHIPUDP, NATTraversalMode.udpEncapsulation]
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, settings: initiator, seed: 1),
                                   try TestHosts.make(great, settings: responder, seed: 2)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let i2 = try Self.parameters(of: try #require(network.sent.first { $0.type == .i2 }))
        #expect(i2.natTraversalMode == [NATTraversalMode.udpEncapsulation])
        #expect(network.association(0, with: 1)?.state == .established)
    }

    /// An I2 over UDP whose NAT_TRAVERSAL_MODE is missing, lists two modes, or names one not offered is
    /// refused with NOTIFY NO_VALID_NAT_TRAVERSAL_MODE_PARAMETER (60), and nothing is installed.
    @Test(arguments: [[], [NATTraversalMode.udpEncapsulation, NATTraversalMode.iceHIPUDP], [NATTraversalMode.iceHIPUDP]])
    func invalidModeInI2IsRefusedWithNotify(modes: [UInt16]) throws {
        var network = try Self.network()
        network.intercept = { datagram in
            guard datagram.type == .i2, var packet = try? HIPPacket.parse(datagram.bytes) else { return [datagram] }
            packet.parameters.removeAll { $0.type == ParameterType.natTraversalMode }
            if !modes.isEmpty { packet.parameters.append(.natTraversalMode(modes)) }
            var changed = datagram
            changed.bytes = packet.serialize()
            return [changed]
        }
        network.connect(0, to: 1)
        network.run(for: .seconds(2))
        #expect(network.association(1, with: 0) == nil)
        #expect(network.peers[1].sas.isEmpty)
        #expect(network.peers[1].rejectionReasons.contains(.invalidNATTraversalMode))
        #expect(!network.peers[1].rejectionReasons.contains(.macFailed))
        let notifies = try network.sent.filter { $0.type == .notify && $0.from == 1 }.map(Self.parameters)
        let refusal = notifies.flatMap(\.notifications).first { $0.type == NotifyType.noValidNATTraversalModeParameter }
        #expect(refusal?.data.count == HIPProtocol.headerLength && refusal?.data[2] == PacketType.i2.rawValue)
    }

    /// Over raw IP an I2 without the parameter is accepted (no NAT on that path, RFC 7401 peers).
    @Test func rawI2WithoutModeIsAccepted() throws {
        var network = try Self.network(transport: .raw)
        network.intercept = { datagram in
            guard datagram.type == .i2, var packet = try? HIPPacket.parse(datagram.bytes) else { return [datagram] }
            #expect(packet.natTraversalMode != nil)
            return [datagram]
        }
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
    }

    /// After 15 s with nothing sent, each side sends one NOTIFY NAT_KEEPALIVE (signed, without HOST_ID); the
    /// receiver neither reports it nor counts it as use of the association.
    @Test func idleUDPPathGetsKeepalives() throws {
        var network = try Self.established()
        let before = network.sent.count
        network.advance(by: .seconds(13))   // the exchange ended at about 0 s, the clock is at 1 s
        #expect(network.sent.count == before)
        network.advance(by: .seconds(2))
        let keepalives = network.sent.dropFirst(before).filter { $0.type == .notify }
        #expect(keepalives.count == 2)
        for keepalive in keepalives {
            let packet = try Self.parameters(of: keepalive)
            #expect(packet.notifications.map(\.type) == [NotifyType.natKeepalive])
            #expect(packet.hostID == nil && packet.has(ParameterType.hipSignature))
        }
        network.deliverAll()
        #expect(network.peers.allSatisfy { $0.host.counters.natKeepalivesReceived == 1 })
        #expect(network.peers.allSatisfy { peer in !peer.reports.contains { if case .notified = $0 { true } else { false } } })
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
    }

    /// ESP sent (as the data plane's count shows) postpones the keepalive: none while traffic flows.
    @Test func trafficPostponesTheKeepalive() throws {
        var network = try Self.established()
        let peer1 = network.peers[1].host.localHIT
        let before = network.sent.count
        for second in 1...4 {
            network.advance(by: .seconds(10))
            network.handle(.trafficCounts([peer1: TrafficCount(sent: UInt64(second), received: 0)]), at: 0)
        }
        let fromZero = network.sent.dropFirst(before).filter { $0.type == .notify && $0.from == 0 }
        let fromOne = network.sent.dropFirst(before).filter { $0.type == .notify && $0.from == 1 }
        #expect(fromZero.isEmpty)
        #expect(!fromOne.isEmpty)   // host 1 sent nothing: it keeps its side alive
    }

    /// Over raw HIP, ESP still rides UDP: the keepalive goes over UDP to the peer's address at our port, and
    /// raw HIP packets do not postpone it.
    @Test func rawPathKeepalivesGoOverUDP() throws {
        var network = try Self.network(transport: .raw)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let before = network.sent.count
        var keepalives: [OutboundPacket] = []
        for second in 2...17 {
            let actions = network.peers[0].host.handle(.timer, now: .zero + .seconds(second))
            for case .send(let packet) in actions where packet.type == .notify { keepalives.append(packet) }
        }
        #expect(network.sent.count == before)
        #expect(keepalives.count == 1)
        #expect(keepalives.first?.destination == Endpoint(address: network.peers[1].address, transport: .udp(port: 10500)))
    }

    /// The NAT in front of host 0 rebinds (new source port): host 1 sees its keepalive from there, verifies the
    /// new port with an echo and only then sends ESP there.
    @Test func rebindingIsFollowedAfterVerification() throws {
        var network = try Self.established()
        let rebound = Endpoint(address: network.peers[0].address, transport: .udp(port: 40000))
        network.intercept = { datagram in
            guard datagram.from == 0 else { return [datagram] }
            return [Datagram(bytes: datagram.bytes, type: datagram.type, from: 0, to: datagram.to, source: rebound,
                             destination: datagram.destination, isRetransmission: datagram.isRetransmission,
                             sentAt: datagram.sentAt)]
        }
        network.advance(by: .seconds(16))
        network.run(for: .seconds(2))
        #expect(network.association(1, with: 0)?.peerEndpoint == rebound)
        #expect(network.peers[1].outbound[network.peers[0].host.localHIT]?.destination == rebound)
        #expect(network.peers[1].host.counters.moves == 1)
        let echo = try network.sent.filter { $0.type == .update && $0.from == 1 }.map(Self.parameters)
        #expect(echo.contains { $0.echoRequestSigned != nil })
    }

    /// A keepalive replayed from another address (the attacker cannot sign a new one) starts a verification
    /// that fails: ESP stays where it was.
    @Test func replayedKeepaliveFromElsewhereMovesNothing() throws {
        var network = try Self.established()
        network.advance(by: .seconds(16))
        let keepalive = try #require(network.sent.last { $0.type == .notify && $0.from == 0 })
        network.deliverAll()
        let attacker = Endpoint(address: try #require(IPAddress("192.0.2.66")), transport: .udp(port: 5555))
        let original = network.association(1, with: 0)?.peerEndpoint
        network.deliver(Datagram(bytes: keepalive.bytes, type: .notify, from: 0, to: 1, source: attacker,
                                 destination: keepalive.destination, isRetransmission: false, sentAt: network.now))
        network.run(for: .seconds(40))
        #expect(network.association(1, with: 0)?.peerEndpoint == original)
        #expect(network.peers[1].outbound[network.peers[0].host.localHIT]?.destination == original)
        #expect(network.association(1, with: 0)?.state == .established)
    }

    /// A host behind a NAT announces its own (private) address: its peer keeps the NAT's mapping, where the
    /// UPDATE came from, and verifies nothing at the private address.
    @Test func announcementFromBehindANATKeepsTheMapping() throws {
        var network = try Self.network()
        let nat = Endpoint(address: try #require(IPAddress("198.51.100.7")), transport: .udp(port: 40000))
        network.peers[0].addresses.append(nat.address)   // the NAT's replies reach host 0
        network.intercept = { datagram in
            guard datagram.from == 0 else { return [datagram] }
            return [Datagram(bytes: datagram.bytes, type: datagram.type, from: 0, to: datagram.to, source: nat,
                             destination: datagram.destination, isRetransmission: datagram.isRetransmission,
                             sentAt: datagram.sentAt)]
        }
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(1, with: 0)?.peerEndpoint == nat)
        let before = network.sent.count
        network.handle(.localAddressesChanged([network.peers[0].addresses[0]]), at: 0)
        network.run(for: .seconds(10))
        #expect(network.association(1, with: 0)?.peerEndpoint == nat)
        let fromOne = try network.sent.dropFirst(before).filter { $0.from == 1 && $0.type == .update }.map(Self.parameters)
        #expect(!fromOne.isEmpty && fromOne.allSatisfy { $0.echoRequestSigned == nil })
        let state = network.association(1, with: 0)?.peerLocators.first { $0.endpoint == nat }?.state
        #expect(state == "ACTIVE")
    }
}

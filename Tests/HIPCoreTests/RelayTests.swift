// Registration (RFC 8003), rendezvous (RFC 8004) and the Control and Data Relay (RFC 9028 §4.12) between
// three in-memory hosts: A (0) reaches B (1) by HIT through the server S (2), with which B (and, where a test
// says so, A) registered. Bad input (a forged HMAC, FROM, RELAY_TO, an unregistered HIT) changes nothing.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct RelayTests {
    static let (a, b, s) = (0, 1, 2)
    static let all: [UInt8] = [RegistrationType.rendezvous, RegistrationType.relayUDPHIP, RegistrationType.relayUDPESP]
    static let relay: [UInt8] = [RegistrationType.relayUDPHIP, RegistrationType.relayUDPESP]

    /// A, B and S; S offers `offered` to `allowed`; B registers for `bWants`, A for `aWants`.
    static func network(offered: [UInt8] = all, allowed: Set<Int>? = nil, bWants: [UInt8]? = relay,
                        aWants: [UInt8]? = nil, lifetime: UInt8 = 159) throws -> TestNetwork {
        let identities = try (0..<3).map { try TestIdentities.identity(.ecdsaP256, $0) }
        let serverHIT = identities[s].hit
        func settings(_ index: Int) -> HostSettings {
            var settings = TestHosts.fastSettings()
            settings.requestedRegistrationLifetime = lifetime
            if index == s {
                var registrar = HostSettings.Registrar(types: offered, allowed: allowed.map { Set($0.map { identities[$0].hit }) })
                registrar.maximumLifetime = lifetime
                registrar.minimumLifetime = min(registrar.minimumLifetime, lifetime)
                settings.registrar = registrar
            }
            if index == b, let bWants { settings.registrations = [serverHIT: bWants] }
            if index == a, let aWants { settings.registrations = [serverHIT: aWants] }
            return settings
        }
        return TestNetwork(try (0..<3).map { try TestHosts.make(identities[$0], settings: settings($0), seed: UInt64($0 + 1)) })
    }

    static func register(_ network: inout TestNetwork, _ client: Int) {
        network.connect(client, to: s)
        network.run(for: .seconds(1))
    }

    /// A reaches B by HIT, with only S's locator.
    static func reach(_ network: inout TestNetwork, from: Int = a, to: Int = b) {
        network.handle(.outboundData(peer: network.peers[to].host.localHIT, endpoints: [network.endpoint(s)]), at: from)
        network.run(for: .seconds(2))
    }

    static func parsed(_ datagram: Datagram) throws -> HIPPacket { try HIPPacket.parse(datagram.bytes) }

    @Test func lifetimeEncoding() {
        #expect(RegistrationLifetime.duration(64) == .seconds(1))
        #expect(RegistrationLifetime.duration(96) == .seconds(16))
        #expect(RegistrationLifetime.duration(56) == .milliseconds(500))
        #expect(abs((RegistrationLifetime.duration(159) - .seconds(3756)).components.seconds) <= 1)
    }

    @Test func registrationInTheBaseExchange() throws {
        var network = try Self.network()
        Self.register(&network, Self.b)
        let r1 = try Self.parsed(try #require(network.sent.first { $0.type == .r1 }))
        let i2 = try Self.parsed(try #require(network.sent.first { $0.type == .i2 }))
        let r2 = try Self.parsed(try #require(network.sent.first { $0.type == .r2 }))
        #expect(r1.regInfo?.types == Self.all)
        #expect(i2.regRequest == RegRequest(lifetime: 159, types: Self.relay))
        #expect(r2.regResponse == RegResponse(lifetime: 159, types: Self.relay))
        #expect(r2.regFrom == TransportAddress(port: 10500, address: network.peers[Self.b].address.v4Mapped))
        let registration = try #require(network.association(Self.b, with: Self.s)?.registration)
        #expect(registration.types == Self.relay)
        #expect(registration.address == network.endpoint(Self.b))
        #expect(network.peers[Self.s].host.registrations.map(\.peer) == [network.peers[Self.b].host.localHIT])
        #expect(network.peers[Self.b].reports.contains { if case .registered = $0 { true } else { false } })
        #expect(network.peers[Self.s].reports.contains { if case .clientRegistered = $0 { true } else { false } })
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
    }

    /// Renewal at half the lifetime by UPDATE; unanswered renewals let it expire on both sides.
    @Test func registrationIsRenewedThenExpires() throws {
        var network = try Self.network(lifetime: 120)   // 2^7 = 128 s
        Self.register(&network, Self.b)
        let first = try #require(network.association(Self.b, with: Self.s)?.registration?.expiresAt)
        network.run(for: .seconds(70))
        let renewals = try network.sent.filter { $0.type == .update && $0.from == Self.b }.map(Self.parsed)
        #expect(renewals.contains { $0.regRequest?.types == Self.relay })
        let answers = try network.sent.filter { $0.type == .update && $0.from == Self.s }.map(Self.parsed)
        #expect(answers.contains { $0.regResponse?.types == Self.relay })
        let renewed = try #require(network.association(Self.b, with: Self.s)?.registration?.expiresAt)
        #expect(renewed > first)
        // S stops answering: the registration lapses at both ends.
        network.intercept = { $0.from == Self.s ? [] : [$0] }
        network.run(for: .seconds(200))
        #expect(network.association(Self.b, with: Self.s)?.registration?.types == [])
        #expect(network.peers[Self.s].host.registrations.isEmpty)
        #expect(network.peers[Self.b].reports.contains { if case .registrationExpired = $0 { true } else { false } })
    }

    /// A host `[server] allow` does not name is refused (REG_FAILED 0); types not offered are refused (1).
    @Test func refusedRegistrations() throws {
        var network = try Self.network(offered: [RegistrationType.rendezvous], allowed: [Self.a], bWants: Self.all,
                                       aWants: Self.all)
        Self.register(&network, Self.b)
        Self.register(&network, Self.a)
        // Only what REG_INFO offers is requested; B is not admitted at all.
        let refusedB = try network.sent.filter { $0.type == .r2 && $0.to == Self.b }.map(Self.parsed)
        #expect(refusedB.first?.regFailed == [RegFailed(failureType: RegistrationFailure.requiresCredentials,
                                                        types: [RegistrationType.rendezvous])])
        #expect(network.association(Self.b, with: Self.s)?.registration?.types == [])
        let answerA = try #require(try network.sent.filter { $0.type == .r2 && $0.to == Self.a }.map(Self.parsed).first)
        #expect(answerA.regResponse?.types == [RegistrationType.rendezvous])
        #expect(answerA.regFailed.isEmpty)
        #expect(network.association(Self.a, with: Self.s)?.registration?.types == [RegistrationType.rendezvous])
        #expect(network.peers[Self.a].reports.contains {
            if case .registrationRefused(_, let types, RegistrationFailure.typeUnavailable) = $0 { types == Self.relay } else { false }
        })
        #expect(network.peers[Self.s].host.registrations.map(\.peer) == [network.peers[Self.a].host.localHIT])
        // B is not registered: an I1 for it at S goes nowhere.
        Self.reach(&network, from: Self.a, to: Self.b)
        #expect(network.association(Self.a, with: Self.b)?.state != .established)
        #expect(network.peers[Self.s].rejectionReasons.contains(.notRegistered))
    }

    /// A and B cannot reach each other directly (as behind NATs that cannot be punched through).
    static func blockDirect(_ network: inout TestNetwork) {
        network.intercept = { datagram in
            let between = Set([datagram.from, datagram.to]) == Set([Self.a, Self.b])
            return between ? [] : [datagram]
        }
    }

    /// Through the relay: the whole base exchange goes through S, ESP too (Data Relay), and so do UPDATEs;
    /// with no direct path the checks end and traffic stays relayed.
    @Test func relayCarriesTheExchangeAndESP() throws {
        var network = try Self.network()
        Self.register(&network, Self.b)
        Self.blockDirect(&network)
        Self.reach(&network)
        #expect(network.association(Self.a, with: Self.b)?.state == .established)
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.s))
        #expect(network.association(Self.b, with: Self.a)?.peerEndpoint == network.endpoint(Self.s))
        #expect(network.peers[Self.b].host.relay(for: network.peers[Self.a].host.localHIT) == network.peers[Self.s].host.localHIT)
        // Every packet between A and B that arrived went through S, with RELAY_FROM (to B) or without relay
        // parameters (to A); the direct ones were connectivity checks (and B's verification of A).
        let direct = try network.sent.filter { Set([$0.from, $0.to]) == Set([Self.a, Self.b]) }.map(Self.parsed)
        #expect(!direct.isEmpty && direct.allSatisfy { $0.type == .update && $0.echoRequestSigned != nil })
        let toB = try network.sent.filter { $0.from == Self.s && $0.to == Self.b && $0.type != .update && $0.type != .r2 }.map(Self.parsed)
        #expect(toB.contains { $0.type == .i1 && $0.relayFrom != nil && $0.relayHMAC != nil })
        #expect(toB.contains { $0.type == .i2 && $0.relayFrom != nil })
        let toA = try network.sent.filter { $0.from == Self.s && $0.to == Self.a }.map(Self.parsed)
        #expect(toA.contains { $0.type == .r1 } && toA.contains { $0.type == .r2 })
        #expect(toA.allSatisfy { !$0.hasForwardingParameters })
        // B permitted A's ESP at S: ESP flows both ways through S.
        let routes = network.peers[Self.s].relayRoutes[network.peers[Self.b].host.localHIT] ?? []
        #expect(routes.count == 1)
        #expect(routes.first?.peer == network.endpoint(Self.a) && routes.first?.client == network.endpoint(Self.b))
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
        #expect(network.association(Self.b, with: Self.a)?.state == .established)
        // A rekey (UPDATEs through S) adds a route for the new SPIs; ESP keeps flowing.
        network.handle(.rekey(peer: network.peers[Self.b].host.localHIT), at: Self.a)
        network.run(for: .seconds(2))
        #expect(network.sendESP(Self.b, to: Self.a) && network.sendESP(Self.a, to: Self.b))
        network.run(for: .seconds(2))
        #expect(network.peers[Self.a].host.counters.rekeys == 1)
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
        #expect((network.peers[Self.s].relayRoutes[network.peers[Self.b].host.localHIT] ?? []).count == 2)
        #expect(network.peers[Self.s].host.counters.relayedHIP > 0)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
        network.run(for: .seconds(20))
        #expect(network.peers[Self.a].reports.contains { if case .noDirectPath = $0 { true } else { false } })
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.s))
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
    }

    /// Where A and B can reach each other, the relayed start moves to the direct path: B's candidates
    /// (its address as S saw it) reach A through S, A's check is answered, and B verifies A in turn.
    @Test func relayedPathMovesToDirect() throws {
        var network = try Self.network(aWants: Self.relay)
        Self.register(&network, Self.b)
        Self.register(&network, Self.a)
        Self.reach(&network)
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.b))
        #expect(network.association(Self.b, with: Self.a)?.peerEndpoint == network.endpoint(Self.a))
        #expect(network.peers[Self.a].host.relay(for: network.peers[Self.b].host.localHIT) == nil)
        #expect(network.peers[Self.b].host.relay(for: network.peers[Self.a].host.localHIT) == nil)
        #expect(network.peers[Self.a].reports.contains { if case .directPath = $0 { true } else { false } })
        // A check's answer names where the check came from (MAPPED_ADDRESS).
        let answers = try network.sent.filter { $0.type == .update && Set([$0.from, $0.to]) == Set([Self.a, Self.b]) }
            .map(Self.parsed)
        #expect(answers.contains { packet in
            guard case .mappedAddress(let mapped)? = packet.first(ParameterType.mappedAddress) else { return false }
            return mapped.port == 10500 && IPAddress(mappedBytes: mapped.address) != nil
        })
        // The candidates travelled encrypted (RFC 9028 §5.7): no LOCATOR_SET in the clear through S.
        let candidates = try network.sent.filter { $0.type == .update && $0.to == Self.s || $0.from == Self.s }.map(Self.parsed)
        #expect(candidates.contains { $0.encrypted != nil } && !candidates.contains { $0.locatorSet != nil })
        let relayedBefore = network.peers[Self.s].host.counters.relayedHIP
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
        #expect(network.espDestination(Self.a, to: Self.b) == network.peers[Self.b].address)
        network.run(for: .seconds(30))
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.b))
        #expect(network.peers[Self.s].host.counters.relayedHIP == relayedBefore)   // keepalives go direct now
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
    }

    /// Rendezvous: S forwards the I1 with FROM and RVS_HMAC; B answers A directly with VIA_RVS; the rest is
    /// direct.
    @Test func rendezvousForwardsTheI1Only() throws {
        var network = try Self.network(bWants: [RegistrationType.rendezvous])
        Self.register(&network, Self.b)
        Self.reach(&network)
        #expect(network.association(Self.a, with: Self.b)?.state == .established)
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.b))
        let i1 = try Self.parsed(try #require(network.sent.first { $0.type == .i1 && $0.from == Self.s }))
        #expect(i1.from == network.peers[Self.a].address.v4Mapped && i1.rvsHMAC != nil)
        let r1 = try #require(network.sent.first { $0.type == .r1 && $0.from == Self.b && $0.to == Self.a })
        #expect(try Self.parsed(r1).viaRVS == [network.peers[Self.s].address.v4Mapped])
        #expect(!network.sent.contains { $0.from == Self.s && $0.type != .i1 && $0.to != Self.b })
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
        #expect(network.peers[Self.a].host.relay(for: network.peers[Self.b].host.localHIT) == nil)
    }

    /// A forwarded packet whose HMAC does not verify is dropped: nothing is answered or created.
    @Test(arguments: [ParameterType.relayHMAC, ParameterType.relayFrom])
    func tamperedRelayedI1IsDropped(field: UInt16) throws {
        var network = try Self.network()
        Self.register(&network, Self.b)
        network.intercept = { datagram in
            guard datagram.from == Self.s, datagram.type == .i1, var packet = try? HIPPacket.parse(datagram.bytes) else {
                return [datagram]
            }
            packet.parameters = packet.parameters.map { parameter in
                switch parameter {
                case .relayHMAC(var mac) where field == ParameterType.relayHMAC:
                    mac[0] ^= 1
                    return .relayHMAC(mac)
                case .relayFrom(var from) where field == ParameterType.relayFrom:
                    from.port ^= 1   // a forged origin
                    return .relayFrom(from)
                default:
                    return parameter
                }
            }
            var changed = datagram
            changed.bytes = packet.serialize()
            return [changed]
        }
        Self.reach(&network)
        #expect(network.peers[Self.b].rejectionReasons.contains(.relayHMACFailed))
        #expect(network.association(Self.b, with: Self.a) == nil)
        #expect(!network.sent.contains { $0.from == Self.b && $0.type == .r1 })
    }

    /// FROM and RVS_HMAC sent by someone who is not B's server, and RELAY_TO from a host that is not S's
    /// client (or with a bad HMAC), are dropped.
    @Test func forgedForwardingParametersAreDropped() throws {
        var network = try Self.network(bWants: [RegistrationType.rendezvous, RegistrationType.relayUDPHIP])
        Self.register(&network, Self.b)
        let bHIT = network.peers[Self.b].host.localHIT, aHIT = network.peers[Self.a].host.localHIT
        let i1 = HIPPacket(type: .i1, senderHIT: aHIT, receiverHIT: bHIT,
                           parameters: [.dhGroupList([DHGroup.nistP256.rawValue]), .from(network.peers[Self.a].address.v4Mapped),
                                        .rvsHMAC([UInt8](repeating: 7, count: 32))]).serialize()
        network.deliver(Datagram(bytes: i1, type: .i1, from: Self.a, to: Self.b, source: network.endpoint(Self.a),
                                 destination: network.peers[Self.b].address, isRetransmission: false, sentAt: network.now))
        #expect(network.peers[Self.b].rejectionReasons.last == .relayHMACFailed)
        // A (not registered) asks S to relay a packet to an address of its choice.
        let relayed = HIPPacket(type: .r1, senderHIT: aHIT, receiverHIT: bHIT,
                                parameters: [.relayTo(TransportAddress(port: 9, address: network.peers[Self.b].address.v4Mapped)),
                                             .relayHMAC([UInt8](repeating: 1, count: 32))]).serialize()
        network.deliver(Datagram(bytes: relayed, type: .r1, from: Self.a, to: Self.s, source: network.endpoint(Self.a),
                                 destination: network.peers[Self.s].address, isRetransmission: false, sentAt: network.now))
        #expect(network.peers[Self.s].rejectionReasons.last == .notRegistered)
        // The same claiming to come from B, with a wrong HMAC.
        let spoofed = HIPPacket(type: .r1, senderHIT: bHIT, receiverHIT: aHIT,
                                parameters: [.relayTo(TransportAddress(port: 9, address: network.peers[Self.a].address.v4Mapped)),
                                             .relayHMAC([UInt8](repeating: 1, count: 32))]).serialize()
        network.deliver(Datagram(bytes: spoofed, type: .r1, from: Self.a, to: Self.s, source: network.endpoint(Self.b),
                                 destination: network.peers[Self.s].address, isRetransmission: false, sentAt: network.now))
        #expect(network.peers[Self.s].rejectionReasons.last == .relayHMACFailed)
        network.deliverAll()
        #expect(network.peers[Self.s].host.counters.relayedHIP == 0)
        #expect(network.association(Self.b, with: Self.a) == nil)
    }

    /// A host that serves nobody drops packets for other HITs as before.
    @Test func packetsForOthersWithoutRegistrar() throws {
        var network = try Self.network(bWants: nil)
        network.peers[Self.s] = TestPeer(host: try TestHosts.make(try TestIdentities.identity(.ecdsaP256, 2), seed: 9).0,
                                         addresses: network.peers[Self.s].addresses, spis: network.peers[Self.s].spis)
        Self.reach(&network)
        #expect(network.peers[Self.s].rejectionReasons.contains(.notForUs))
    }

    /// A server that lost our association: `.restartExchange` drops ours (SAs removed) and runs a new base
    /// exchange, which registers again; `.outboundData` leaves an established association alone.
    @Test func restartExchangeReplacesAnEstablishedAssociation() throws {
        var network = try Self.network()
        Self.register(&network, Self.b)
        let server = network.peers[Self.s].host.localHIT
        let before = try #require(network.association(Self.b, with: Self.s)?.inboundSPI)
        network.handle(.outboundData(peer: server, endpoints: [network.endpoint(Self.s)]), at: Self.b)
        #expect(network.association(Self.b, with: Self.s)?.inboundSPI == before)
        network.handle(.restartExchange(peer: server, endpoints: [network.endpoint(Self.s)]), at: Self.b)
        #expect(network.peers[Self.b].sas[before] == nil)
        #expect(network.association(Self.b, with: Self.s)?.state == .i1Sent)
        network.run(for: .seconds(1))
        #expect(network.association(Self.b, with: Self.s)?.state == .established)
        #expect(network.association(Self.b, with: Self.s)?.registration?.types == Self.relay)
        #expect(network.association(Self.b, with: Self.s)?.inboundSPI != before)
    }

    /// The registrar's answers: rendezvous is refused next to the Control Relay (REG_FAILED 9), each type keeps
    /// its own lifetime (a renewal of one leaves the others alone), lifetime 0 cancels only the listed types.
    @Test func registrarAnswersPerType() throws {
        let network = try Self.network()
        let client = Association(local: network.peers[Self.s].host.local, peerHIT: network.peers[Self.b].host.localHIT,
                                 phase: .unassociated)
        let source = Endpoint(address: try #require(IPAddress("192.0.2.9")), transport: .udp(port: 4000))
        var (parameters, served) = client.serve(RegRequest(lifetime: 159, types: Self.all), from: source, current: nil,
                                                now: .zero)
        #expect(parameters.contains(.regResponse(RegResponse(lifetime: 159, types: Self.relay))))
        #expect(parameters.contains(.regFailed(RegFailed(failureType: RegistrationFailure.rendezvousWithRelay,
                                                         types: [RegistrationType.rendezvous]))))
        #expect(parameters.contains(.regFrom(TransportAddress(port: 4000, address: source.address.v4Mapped))))
        #expect(served?.types == Self.relay)
        let esp = try #require(served?.expiries[RegistrationType.relayUDPESP])
        (parameters, served) = client.serve(RegRequest(lifetime: 159, types: [RegistrationType.relayUDPHIP]), from: source,
                                            current: served, now: .zero + .seconds(100))
        #expect(served?.expiries[RegistrationType.relayUDPESP] == esp)
        #expect((served?.expiries[RegistrationType.relayUDPHIP] ?? .zero) > esp)
        (parameters, served) = client.serve(RegRequest(lifetime: 0, types: [RegistrationType.relayUDPHIP]), from: source,
                                            current: served, now: .zero + .seconds(101))
        #expect(parameters == [.regResponse(RegResponse(lifetime: 0, types: [RegistrationType.relayUDPHIP]))])
        #expect(served?.types == [RegistrationType.relayUDPESP])
        // Our own client never asks for both: rendezvous is left out next to the relay.
        var both = try Self.network(bWants: Self.all)
        Self.register(&both, Self.b)
        let i2 = try Self.parsed(try #require(both.sent.first { $0.type == .i2 }))
        #expect(i2.regRequest?.types == Self.relay)
        #expect(!both.peers[Self.b].reports.contains { if case .registrationRefused = $0 { true } else { false } })
    }

    /// Implementations differ on which direction's key signs RELAY_HMAC (HIPL uses the client's both ways): a
    /// relayed I1 signed with B's own key is accepted; an RVS_HMAC without FROM is checked (and dropped).
    @Test func relayHMACOfEitherDirectionAndLoneRVSHMAC() throws {
        var network = try Self.network()
        Self.register(&network, Self.b)
        let clientKeys = try #require(network.peers[Self.s].host.association(for: network.peers[Self.b].host.localHIT)?.session)
        network.intercept = { datagram in
            guard datagram.from == Self.s, datagram.type == .i1,
                  let cut = try? coveredRegion(of: datagram.bytes, before: ParameterType.relayHMAC, rule: .mac),
                  let resigned = HIPHost.appending(.relayHMAC(HIPHost.hmac(cut, before: ParameterType.relayHMAC,
                                                                           session: clientKeys, outgoing: false)), to: cut)
            else { return [datagram] }
            var changed = datagram
            changed.bytes = resigned
            return [changed]
        }
        Self.reach(&network)
        #expect(network.association(Self.a, with: Self.b)?.state == .established)
        #expect(!network.peers[Self.b].rejectionReasons.contains(.relayHMACFailed))
        // An I1 with RVS_HMAC but no FROM, from B's server's address: the HMAC is checked, and fails.
        let lone = HIPPacket(type: .i1, senderHIT: network.peers[Self.a].host.localHIT, receiverHIT: network.peers[Self.b].host.localHIT,
                             parameters: [.dhGroupList([DHGroup.nistP256.rawValue]), .rvsHMAC([UInt8](repeating: 3, count: 32))])
        network.deliver(Datagram(bytes: lone.serialize(), type: .i1, from: Self.s, to: Self.b, source: network.endpoint(Self.s),
                                 destination: network.peers[Self.b].address, isRetransmission: false, sentAt: network.now))
        #expect(network.peers[Self.b].rejectionReasons.last == .relayHMACFailed)
    }

    /// A direct path that dies (the NATs stop passing it) goes back through the relay once the peer has been
    /// silent for 2.5 keepalive intervals; the peer follows our traffic from the relay, and ESP flows again.
    @Test func deadDirectPathFallsBackToTheRelay() throws {
        var network = try Self.network(aWants: Self.relay)
        Self.register(&network, Self.b)
        Self.register(&network, Self.a)
        Self.reach(&network)
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.b))
        Self.blockDirect(&network)
        network.run(for: .seconds(30))
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.b))   // not yet
        network.run(for: .seconds(30))
        #expect(network.association(Self.a, with: Self.b)?.peerEndpoint == network.endpoint(Self.s))
        #expect(network.association(Self.b, with: Self.a)?.peerEndpoint == network.endpoint(Self.s))
        #expect(network.peers[Self.a].reports.contains { if case .directPathLost = $0 { true } else { false } })
        #expect(network.sendESP(Self.a, to: Self.b) && network.sendESP(Self.b, to: Self.a))
    }
}

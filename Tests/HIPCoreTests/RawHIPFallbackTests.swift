// The Initiator's transport choice when the shell offers a peer's address over raw HIP and over UDP: the first
// I1 goes over raw HIP only; when no R1 came by the first I1 timeout it falls back to UDP, then alternates
// (Association+Initiator); the association reports which transport its exchange ran on.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct RawHIPFallbackTests {
    static func network() throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)])
    }

    /// Peer 0 starts an exchange with peer 1 at its address over UDP and over raw HIP (as the node offers a
    /// configured locator when it holds a raw socket).
    static func connectOverBoth(_ network: inout TestNetwork) {
        let address = network.peers[1].address
        network.handle(.outboundData(peer: network.peers[1].host.localHIT,
                                     endpoints: [Endpoint(address: address, transport: .raw),
                                                 Endpoint(address: address, transport: .udp(port: 10500))]), at: 0)
    }

    @Test func theFirstI1GoesOverRawHIPOnlyAndUDPFollowsTheTimeout() throws {
        var network = try Self.network()
        var dropped = 0
        network.intercept = { datagram in
            guard datagram.source.transport == .raw else { return [datagram] }
            dropped += 1
            return []
        }
        Self.connectOverBoth(&network)
        #expect(network.queue.map(\.type) == [.i1] && network.queue.map(\.source.transport) == [.raw])
        #expect(network.association(0, with: 1)?.exchangeTransport == .raw)
        network.run(for: .milliseconds(999))
        #expect(network.association(0, with: 1)?.state == .i1Sent)
        #expect(network.sent.count == 1 && dropped == 1)

        network.run(for: .seconds(30))
        let i1s = network.sent.filter { $0.type == .i1 }
        #expect(i1s.map(\.source.transport) == [.raw, .udp(port: 10500)])
        #expect(i1s.map(\.sentAt) == [.zero, .zero + .seconds(1)])
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(0, with: 1)?.exchangeTransport == .udpAfterRawUnanswered)
        #expect(network.association(1, with: 0)?.exchangeTransport == .udp)   // the Responder saw UDP only
        #expect(network.peers[0].outbound[network.peers[1].host.localHIT]?.destination.transport == .udp(port: 10500))
        #expect(network.sent.filter { [.r1, .i2, .r2].contains($0.type) }.allSatisfy { $0.source.transport == .udp(port: 10500) })
        #expect(dropped == 1)
        try Agreement.expectMirrored(network, 0, 1)
    }

    @Test func peersThatAnswerRawHIPCompleteOverRawHIP() throws {
        var network = try Self.network()
        Self.connectOverBoth(&network)
        network.run(for: .seconds(30))
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(0, with: 1)?.exchangeTransport == .raw)
        #expect(network.association(1, with: 0)?.exchangeTransport == .raw)
        // (Later NAT keepalives go on the UDP path ESP takes.)
        let exchange = network.sent.filter { [.i1, .r1, .i2, .r2].contains($0.type) }
        #expect(exchange.map(\.type) == [.i1, .r1, .i2, .r2])
        #expect(exchange.allSatisfy { $0.source.transport == .raw })
        #expect(network.peers[0].host.counters.retransmissions == 0)
        try Agreement.expectMirrored(network, 0, 1)
    }

    /// Nothing answers: raw HIP first, the UDP fallback at the first timeout, then raw HIP and UDP by turns
    /// (one address each), until E-FAILED. A server's locator (UDP only) goes out with the first I1s.
    @Test func scheduleAlternatesAfterTheFallback() {
        let (a, b, server) = (IPAddress("192.0.2.2")!, IPAddress("198.51.100.2")!, IPAddress("203.0.113.9")!)
        func udp(_ address: IPAddress) -> Endpoint { Endpoint(address: address, transport: .udp(port: 10500)) }
        func raw(_ address: IPAddress) -> Endpoint { Endpoint(address: address, transport: .raw) }
        // As the node orders them: raw HIP endpoints, then UDP ones (the server's locator is offered over UDP only).
        let attempt = Association.Attempt(endpoints: [raw(a), raw(b), udp(a), udp(b), udp(server)], startedAt: .zero, i1: [])
        #expect(attempt.destinations(ofTransmission: 0) == [raw(a), raw(b), udp(server)])
        #expect(attempt.destinations(ofTransmission: 1) == [udp(a), udp(b), udp(server)])
        #expect((2...6).map { attempt.destinations(ofTransmission: $0) } == [[raw(b)], [udp(b)], [udp(server)], [udp(server)], [raw(a)]])
        #expect(attempt.transport(ofTransmission: 0) == .raw)
        #expect(attempt.transport(ofTransmission: 1) == .udpAfterRawUnanswered)
        #expect(attempt.transport(ofTransmission: 2) == .raw)

        // Without raw HIP: the first I1s to up to three addresses, then one at a time, in turn (as before).
        let udpOnly = Association.Attempt(endpoints: [udp(a), udp(b)], startedAt: .zero, i1: [])
        #expect(udpOnly.destinations(ofTransmission: 0) == [udp(a), udp(b)])
        #expect((1...3).map { udpOnly.destinations(ofTransmission: $0) } == [[udp(b)], [udp(a)], [udp(b)]])
        #expect(udpOnly.transport(ofTransmission: 0) == .udp && udpOnly.transport(ofTransmission: 1) == .udp)
    }

    @Test func unansweredOnBothTransportsFailsAfterTheRetries() throws {
        var network = try Self.network()
        network.intercept = { _ in [] }
        Self.connectOverBoth(&network)
        network.run(for: .seconds(60))
        let i1s = network.sent.filter { $0.type == .i1 }
        #expect(i1s.map(\.source.transport) == [.raw, .udp(port: 10500), .raw, .udp(port: 10500), .raw])
        #expect(i1s.map(\.sentAt) == [0, 1, 3, 7, 15].map { Instant.zero + .seconds($0) })
        guard case .failed(_, .noResponseToI1)? = network.peers[0].reports.last else {
            Issue.record("no E-FAILED report: \(network.peers[0].reports)")
            return
        }
    }
}

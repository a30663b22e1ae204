// CLOSE / CLOSE_ACK (RFC 7401 §5.3.7–8, §6.14–15, Tables 7–8).
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct CloseTests {
    static func established() throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 21), try TestHosts.make(great, seed: 22)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        try #require(network.association(0, with: 1)?.state == .established)
        return network
    }

    static func closedReports(_ peer: TestPeer) -> Int {
        peer.reports.filter { if case .closed = $0 { true } else { false } }.count
    }

    @Test func closeAndCloseAck() throws {
        var network = try Self.established()
        network.handle(.close(peer: network.peers[1].host.localHIT), at: 0)
        #expect(network.peers[0].sas.isEmpty)                      // no data once closing
        #expect(network.association(0, with: 1)?.state == .closing)
        network.deliverAll()
        #expect(network.sentTypes(from: 0).suffix(1) == [.close])
        #expect(network.sentTypes(from: 1).suffix(1) == [.closeAck])
        #expect(network.association(0, with: 1) == nil)            // CLOSE_ACK: UNASSOCIATED
        #expect(network.association(1, with: 0)?.state == .closed)
        #expect(network.peers[1].sas.isEmpty)
        #expect(Self.closedReports(network.peers[0]) == 1 && Self.closedReports(network.peers[1]) == 1)
        #expect(network.peers.allSatisfy { $0.spis.allocatedCount == 0 })
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
        // The CLOSE_ACK echoes the CLOSE's nonce.
        let close = try HIPPacket.parse(try #require(network.sent.first { $0.type == .close }).bytes)
        let ack = try HIPPacket.parse(try #require(network.sent.first { $0.type == .closeAck }).bytes)
        #expect(close.echoRequestSigned?.count == 16 && ack.echoResponseSigned == close.echoRequestSigned)
        // CLOSED lingers, then UNASSOCIATED.
        network.run(for: .seconds(241))
        #expect(network.association(1, with: 0) == nil)
        #expect(network.peers[0].host.counters.associationsClosed == 1)
    }

    @Test func lostCloseAckIsResentFromCache() throws {
        var network = try Self.established()
        var dropped = false
        network.intercept = { datagram in
            if datagram.type == .closeAck && !dropped {
                dropped = true
                return []
            }
            return [datagram]
        }
        network.handle(.close(peer: network.peers[1].host.localHIT), at: 0)
        network.run(for: .seconds(5))
        #expect(network.association(0, with: 1) == nil)
        let acks = network.sent.filter { $0.type == .closeAck }
        #expect(acks.count == 2 && acks[1].isRetransmission && acks[0].bytes == acks[1].bytes)
        #expect(Self.closedReports(network.peers[1]) == 1)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
    }

    @Test func simultaneousClose() throws {
        var network = try Self.established()
        network.handle(.close(peer: network.peers[1].host.localHIT), at: 0)
        network.handle(.close(peer: network.peers[0].host.localHIT), at: 1)
        network.run(for: .seconds(5))
        // Each answered the other's CLOSE (CLOSED), then took the CLOSE_ACK for its own: UNASSOCIATED.
        #expect(network.association(0, with: 1) == nil && network.association(1, with: 0) == nil)
        #expect(Self.closedReports(network.peers[0]) == 1 && Self.closedReports(network.peers[1]) == 1)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty && $0.sas.isEmpty })
    }

    @Test func closingGivesUp() throws {
        var network = try Self.established()
        network.intercept = { $0.type == .close ? [] : [$0] }
        network.handle(.close(peer: network.peers[1].host.localHIT), at: 0)
        network.run(for: .seconds(200))
        #expect(network.association(0, with: 1) == nil)
        // 1 + 6 retransmissions within the 120 s CLOSING time.
        #expect(network.sent.filter { $0.type == .close }.count == 7)
        #expect(Self.closedReports(network.peers[0]) == 1)
    }

    /// After CLOSE a new incarnation starts with a fresh exchange (RFC 7401 §6.14).
    @Test func newIncarnationAfterClose() throws {
        var network = try Self.established()
        network.handle(.close(peer: network.peers[1].host.localHIT), at: 0)
        network.deliverAll()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
        try Agreement.expectMirrored(network, 0, 1)
    }

    /// CLOSE before the exchange has keys simply abandons it.
    @Test func closeDuringExchange() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 21), try TestHosts.make(great, seed: 22)])
        network.connect(0, to: 1)
        network.handle(.close(peer: great.hit), at: 0)
        #expect(network.association(0, with: 1) == nil)
        network.run(for: .seconds(5))   // the R1 that comes back finds no association
        #expect(network.peers[0].rejectionReasons == [.unexpected])
    }
}

// DatagramBatch filled in memory (no sockets, no root): a slot set with setReceived reads back as after
// recvmmsg — bytes at the headroom, the peer, the local destination (packet info of either family), and
// MSG_TRUNC when the bytes did not fit.
import SynapticDataPlane
import SynapticPlatform
import Testing

@Suite struct DatagramBatchTests {
    @Test(arguments: [("198.18.0.1", "198.18.0.2"), ("2001:db8::1", "2001:db8::2")])
    func receivedSlotReadsBackAsAfterARecvmmsg(addresses: (String, String)) throws {
        let peer = SocketAddress(try #require(InetAddress(addresses.0)), port: 10500)
        let local = try #require(InetAddress(addresses.1))
        let memory = PacketBatch(capacity: 2)
        let batch = DatagramBatch(capacity: 2)
        batch.receive(into: memory, bytes: 48)
        let short: [UInt8] = [1, 2, 3, 4, 5]
        let long = [UInt8](repeating: 7, count: 100)
        short.withUnsafeBytes { batch.setReceived(at: 0, $0, from: peer, to: local) }
        long.withUnsafeBytes { batch.setReceived(at: 1, $0, from: peer, to: local) }
        batch.count = 2
        #expect(Array(batch.packet(at: 0)) == short)
        #expect(batch.peer(at: 0) == peer && batch.destination(at: 0) == local)
        #expect(!batch.isTruncated(at: 0) && batch.segmentSize(at: 0) == nil)
        // Cut to the 48-byte receive buffer, and flagged.
        #expect(Array(batch.packet(at: 1)) == [UInt8](repeating: 7, count: 48))
        #expect(batch.isTruncated(at: 1) && batch.destination(at: 1) == local)
    }
}

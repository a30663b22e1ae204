// The inside path's pending table: exchange requests per peer, and that a full table of peers makes room
// for a new destination (an idle peer first, else the longest-waiting one, whose packets are counted).
import HIPCore
import HIPWire
import Testing
@testable import SynapticNode

@Suite struct PendingTableTests {
    static func peer(_ index: Int) -> HIT { HIT("2001:2a::\(String(index, radix: 16))")! }

    static func table() -> PendingTable {
        PendingTable(peerLimit: NodeLimits.pendingPeers, packetsPerPeer: 4, slotSize: 128, requestInterval: .seconds(1))
    }

    static func queue(_ table: PendingTable, _ peer: HIT, at seconds: Int, packets: Int = 1) -> [Bool] {
        (0..<packets).map { _ in
            [UInt8](repeating: 0x60, count: 40).withUnsafeBytes {
                table.queue($0, for: peer, now: Instant(nanoseconds: UInt64(seconds) * 1_000_000_000))
            }
        }
    }

    @Test func requestsAnExchangeOnTheFirstPacketThenOncePerInterval() {
        let table = Self.table()
        #expect(Self.queue(table, Self.peer(1), at: 10, packets: 3) == [true, false, false])
        #expect(Self.queue(table, Self.peer(1), at: 11) == [true])
        // Installing the SA takes the packets; the next packet without SA asks again at once.
        #expect(table.flush(Self.peer(1))?.count == 4)
        #expect(Self.queue(table, Self.peer(1), at: 11) == [true])
        #expect(table.flush(Self.peer(2)) == nil)
        // Discarding (no locator, failed exchange) keeps the interval: a flood to an unreachable peer costs
        // one request per interval, not one per packet.
        #expect(Self.queue(table, Self.peer(3), at: 20) == [true])
        table.discard(Self.peer(3))
        #expect(Self.queue(table, Self.peer(3), at: 20, packets: 3) == [false, false, false])
        #expect(Self.queue(table, Self.peer(3), at: 21) == [true])
    }

    @Test func fullTableEvictsTheLongestWaitingPeerAndCountsItsPackets() throws {
        let table = Self.table()
        let limit = NodeLimits.pendingPeers
        for index in 0..<limit { #expect(Self.queue(table, Self.peer(index), at: 100 + index, packets: 2) == [true, false]) }
        // Peer 0's queue overflowed before it was evicted: that drop must stay counted too.
        _ = Self.queue(table, Self.peer(0), at: 100, packets: 3)
        #expect(table.peerCount == limit)

        let newcomer = Self.peer(limit)
        #expect(Self.queue(table, newcomer, at: 200) == [true])
        #expect(table.peerCount == limit)
        #expect(table[Self.peer(0)] == nil)       // requested longest ago
        #expect(table[Self.peer(1)]?.count == 2)
        #expect(table[newcomer]?.count == 1)
        #expect(table.evictedPackets == 4)
        #expect(table.retiredDrops == PendingPackets.Drops(queueFull: 1, exchangeFailed: 0, tooBig: 0))

        // A peer whose queue is empty (flushed into its SA or discarded) goes first, and costs no packet.
        table.discard(Self.peer(40))
        #expect(Self.queue(table, Self.peer(limit + 1), at: 201) == [true])
        #expect(table[Self.peer(40)] == nil && table[Self.peer(1)] != nil)
        #expect(table.evictedPackets == 4)
        #expect(table.retiredDrops.exchangeFailed == 2)

        // Many more destinations than the table holds: each still gets queued and an exchange requested.
        for index in (limit + 2)..<(3 * limit) {
            #expect(Self.queue(table, Self.peer(index), at: 300 + index) == [true])
            #expect(table[Self.peer(index)]?.count == 1)
        }
        #expect(table.peerCount == limit)
        #expect(table.evictedPackets == 4 + 2 * UInt64(limit - 2) + UInt64(limit))
    }
}

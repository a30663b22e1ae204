// PendingTable: the inside path's packets that wait for base exchanges, one PendingPackets queue per peer.
//
//   queue(packet, peer, now)
//     → the peer's queue, or a new one; when `peerLimit` peers have one already, one is evicted first:
//         a peer whose queue is empty (flushed into its SA, or discarded after a failed exchange),
//         else the peer whose exchange was requested longest ago (its queued packets are counted in
//         `evictedPackets`; without eviction, once `peerLimit` destinations had ever been queued, no new
//         base exchange could start)
//     → packet appended (queue full or packet too big: counted by the queue)
//     → true when the caller should request an exchange: the peer's first packet, or `requestInterval`
//       since the last request
//   flush(peer)   → the peer's queue, to send once its SA is installed
//   discard(peer) → its packets dropped (counted) after a failed exchange; requests stay rate-limited
// The drops of queues that are evicted are kept in `retiredDrops`, so every drop stays counted.
import HIPCore
import HIPWire

/// The pending queues by peer HIT. Owned by the inside path's thread; not Sendable.
final class PendingTable {
    let peerLimit: Int
    let packetsPerPeer: Int
    let slotSize: Int
    let requestInterval: Duration
    private var queues: [HIT: PendingPackets] = [:]
    /// Packets that were queued for a peer evicted to make room for another.
    private(set) var evictedPackets: UInt64 = 0
    /// Drops counted by queues that were evicted since.
    private(set) var retiredDrops = PendingPackets.Drops()

    init(peerLimit: Int, packetsPerPeer: Int, slotSize: Int, requestInterval: Duration) {
        precondition(peerLimit > 0, "the pending table needs room for one peer")
        self.peerLimit = peerLimit
        self.packetsPerPeer = packetsPerPeer
        self.slotSize = slotSize
        self.requestInterval = requestInterval
    }

    /// Peers with a queue (possibly empty).
    var peerCount: Int { queues.count }

    /// The queue of `peer`, if it has one.
    subscript(peer: HIT) -> PendingPackets? { queues[peer] }

    /// Queues a copy of `packet` for `peer` (see the file comment); true: request a base exchange now.
    func queue(_ packet: UnsafeRawBufferPointer, for peer: HIT, now: Instant) -> Bool {
        let queue: PendingPackets
        if let existing = queues[peer] {
            queue = existing
        } else {
            if queues.count >= peerLimit { evictOne() }
            queue = PendingPackets(capacity: packetsPerPeer, slotSize: slotSize)
            queues[peer] = queue
        }
        queue.append(packet)
        guard queue.lastRequest.map({ now - $0 >= requestInterval }) ?? true else { return false }
        queue.lastRequest = now
        return true
    }

    /// The queue of `peer` whose SA was just installed (its next packet asks for an exchange again).
    func flush(_ peer: HIT) -> PendingPackets? {
        guard let queue = queues[peer] else { return nil }
        queue.lastRequest = nil
        return queue
    }

    /// Drops the packets queued for `peer` (counted as `exchangeFailed`). The time of the last request
    /// stays: the next packet asks again only after `requestInterval`, so traffic to a peer that cannot be
    /// reached (no locator, failed exchange) costs one request and one log line per interval, not per packet.
    func discard(_ peer: HIT) {
        guard let queue = queues[peer] else { return }
        queue.discardAll()
    }

    /// Queued packets and drops per peer (for status output; allocates).
    var snapshot: [HIT: (queued: Int, drops: PendingPackets.Drops)] {
        queues.mapValues { (queued: $0.count, drops: $0.drops) }
    }

    private func evictOne() {
        let victim = queues.first { $0.value.isEmpty }
            ?? queues.min { ($0.value.lastRequest ?? .zero) < ($1.value.lastRequest ?? .zero) }
        guard let (peer, queue) = victim else { return }
        evictedPackets += UInt64(queue.count)
        retiredDrops.queueFull += queue.drops.queueFull
        retiredDrops.exchangeFailed += queue.drops.exchangeFailed
        retiredDrops.tooBig += queue.drops.tooBig
        queues[peer] = nil
    }
}

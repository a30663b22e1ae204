// HIPSenderLimiter: which HIP packets from addresses that are not known peers' reach the core (the outside
// path checks the UDP ones before they are queued for the control thread, the control thread the raw ones).
//
// Stages, per packet from an unknown address: the Sender's HIT (header bytes 8..<24; shorter packets use
// what they have, the core then rejects them) → bucket by Swift's Hasher (SipHash with a per-process random
// seed, so a flood cannot pick HITs that share a peer's bucket) → that bucket's token bucket
// (`NodeLimits.hipPacketsPerSenderPerSecond`). Packets from a known peer's address (configured locators,
// endpoints of past exchanges) are not limited here: they also get room in the control queue that others
// cannot take (`NodeLimits.knownSourceQueueReserve`). So a flood claiming one HIT from spoofed addresses
// costs the control thread at most that rate, cannot fill the queue, and does not crowd out the peer
// whose HIT it claims. No allocation per packet.
import HIPCore

/// Per-Sender's-HIT limits on HIP packets from unknown addresses. A value type owned by one thread.
struct HIPSenderLimiter {
    private var senders: RateLimiterTable

    init(now: Instant) {
        senders = RateLimiterTable(count: NodeLimits.hipSenderBuckets,
                                   ratePerSecond: NodeLimits.hipPacketsPerSenderPerSecond, now: now)
    }

    /// True (and a token of its sender's bucket spent) if `packet`, a HIP packet from an address that is not
    /// a known peer's, may go to the core now.
    mutating func admit(_ packet: UnsafeRawBufferPointer, now: Instant) -> Bool {
        senders.allow(bucket: bucket(of: packet), now: now)
    }

    /// The bucket index of `packet`'s Sender's HIT.
    func bucket(of packet: UnsafeRawBufferPointer) -> Int {
        let sender = UnsafeRawBufferPointer(rebasing: packet[min(8, packet.count)..<min(24, packet.count)])
        var hasher = Hasher()
        hasher.combine(bytes: sender)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(senders.count))
    }
}

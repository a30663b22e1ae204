// UnknownSPIReportLimiter: which ESP packets with an unknown SPI the outside path reports to the control
// plane (a peer that restarted still uses our old SPIs; its reports start a new base exchange).
//
// Stages, per packet: source address one of a known peer's (configured locators and endpoints of past
// exchanges: the only addresses a report can start an exchange with) → bucket by Swift's Hasher (SipHash
// with a per-process random seed, so senders cannot pick addresses that share a victim's bucket) → that
// bucket's token bucket (`NodeLimits.unknownSPIReportsPerSourcePerSecond`) → the total one
// (`NodeLimits.unknownSPIReportsPerSecond`).
// Unknown SPIs from anyone else are never reported, so a spoofed flood from many addresses cannot crowd
// out a restarted peer; a flood from some peers' addresses uses up their buckets, not the reports of the
// others, and the total bounds the rest. No allocation per packet.
import HIPCore
import SynapticPlatform

/// Per-source and total limits on unknown-SPI reports. A value type owned by the outside path's thread.
struct UnknownSPIReportLimiter {
    private var sources: RateLimiterTable
    private var total: RateLimiter
    /// The addresses of known peers (the control plane publishes them as they change).
    var peerAddresses: Set<InetAddress> = []

    init(now: Instant) {
        sources = RateLimiterTable(count: NodeLimits.unknownSPIReportBuckets,
                                   ratePerSecond: NodeLimits.unknownSPIReportsPerSourcePerSecond, now: now)
        total = RateLimiter(ratePerSecond: NodeLimits.unknownSPIReportsPerSecond, now: now)
    }

    /// True (and the tokens spent) if an unknown SPI from `source` may be reported now.
    mutating func admit(_ source: InetAddress, now: Instant) -> Bool {
        peerAddresses.contains(source) && sources.allow(bucket: bucket(of: source), now: now) && total.allow(now: now)
    }

    /// The bucket index of `source`.
    func bucket(of source: InetAddress) -> Int {
        var hasher = Hasher()
        hasher.combine(source)
        return Int(UInt(bitPattern: hasher.finalize()) % UInt(sources.count))
    }
}

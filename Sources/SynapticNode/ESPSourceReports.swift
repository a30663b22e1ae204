// ESPSourceReports: when the outside path tells the control plane where an inbound SA's ESP comes from
// (`ControlMessage.espSource`).
//
// Per packet that opened and passed the replay check, in the order the replay window took them:
//   the SA's first one                            → report (the peer uses this SA: R2-SENT ends, a rekey took)
//   a new highest sequence number, from a source  → report, at most `NodeLimits.espSourceReportsPerSecond`
//   (address or port) other than the last one       per SA (token bucket, HIPCore.RateLimiter); beyond that
//   reported                                        suppressed, and the next such packet tries again
//   anything else (same source, or a late packet  → nothing
//   below the highest from anywhere)
// Packets that fail the ICV or the replay check never get here, so a copy of an old packet sent from
// another address reports nothing. No allocation.
import HIPCore
import SynapticPlatform

/// The source reports of one inbound SA. A value type owned by the outside path's thread.
struct ESPSourceReports {
    enum Verdict: Equatable {
        /// Nothing new to tell.
        case unchanged
        /// Tell the control plane that the SA's ESP now comes from the packet's source.
        case report
        /// A new source, but this SA used up its reports for now.
        case suppressed
    }

    /// The source last reported; nil before the first packet.
    private(set) var reported: SocketAddress?
    /// The highest sequence number seen.
    private var highest: UInt64 = 0
    private var limiter: RateLimiter

    init(now: Instant) {
        limiter = RateLimiter(ratePerSecond: NodeLimits.espSourceReportsPerSecond, now: now)
    }

    /// What to do about an authenticated packet with `sequence` from `source`; `now` is read only when a
    /// report after the first needs the rate limit. A `.report` is taken as told.
    mutating func observe(sequence: UInt64, from source: SocketAddress,
                          now: @autoclosure () -> Instant) -> Verdict {
        guard sequence > highest else { return .unchanged }
        highest = sequence
        guard source != reported else { return .unchanged }
        if reported != nil, !limiter.allow(now: now()) { return .suppressed }
        reported = source
        return .report
    }
}

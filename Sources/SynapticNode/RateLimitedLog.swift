// RateLimitedLog: at most N log lines of one kind per second; the rest are counted and summarized.
import HIPCore

/// A per-second budget for log lines. Owned by one thread (the control thread).
struct RateLimitedLog {
    let perSecond: Int
    private var windowStart = Instant.zero
    private var used = 0
    private var suppressed = 0

    init(perSecond: Int) {
        self.perSecond = perSecond
    }

    /// Whether a line may be logged at `now`, and how many were suppressed in the window that just ended
    /// (log that number with the line).
    mutating func admit(now: Instant) -> (allowed: Bool, suppressedBefore: Int) {
        var suppressedBefore = 0
        if now - windowStart >= .seconds(1) {
            suppressedBefore = suppressed
            windowStart = now
            used = 0
            suppressed = 0
        }
        guard used < perSecond else {
            suppressed += 1
            return (false, 0)
        }
        used += 1
        return (true, suppressedBefore)
    }
}

// RateLimiter: a token bucket on the injected clock (bounds R1s and signed NOTIFYs we emit, and the
// notifications we report; RateLimiterTable keeps a table of them). Public: the shell bounds its own
// reports with it.

/// At most `ratePerSecond` events per second, in bursts of up to `ratePerSecond`. A value type; no
/// allocation.
public struct RateLimiter: Sendable {
    public let ratePerSecond: Int
    private var available: Int
    private var refilledAt: Instant

    public init(ratePerSecond: Int, now: Instant) {
        self.ratePerSecond = ratePerSecond
        self.available = ratePerSecond
        self.refilledAt = now
    }

    /// True (and one token spent) if an event may happen now.
    public mutating func allow(now: Instant) -> Bool {
        if now > refilledAt, ratePerSecond > 0 {
            let elapsed = (now - refilledAt).nanosecondsClamped
            let (product, overflow) = elapsed.multipliedReportingOverflow(by: UInt64(ratePerSecond))
            let tokens = overflow ? UInt64(ratePerSecond) : product / 1_000_000_000
            if tokens > 0 {
                available = Int(min(UInt64(ratePerSecond), UInt64(available) + tokens))
                refilledAt = now
            }
        }
        guard available > 0 else { return false }
        available -= 1
        return true
    }
}

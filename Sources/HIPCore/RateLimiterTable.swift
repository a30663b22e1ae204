// RateLimiterTable: a fixed number of token buckets of one rate, for limits per source address: the
// caller maps each source to a bucket (a keyed hash, so that sources cannot pick a victim's bucket), and
// sources that share a bucket share its rate. Memory is fixed whatever the number of sources.

/// `count` RateLimiters of `ratePerSecond` each. A value type; no allocation after init.
public struct RateLimiterTable: Sendable {
    private var buckets: [RateLimiter]

    public init(count: Int, ratePerSecond: Int, now: Instant) {
        buckets = Array(repeating: RateLimiter(ratePerSecond: ratePerSecond, now: now), count: max(1, count))
    }

    /// The number of buckets.
    public var count: Int { buckets.count }

    /// True (and one token of bucket `index` spent) if an event in that bucket may happen now.
    /// `index` must be in 0..<count.
    public mutating func allow(bucket index: Int, now: Instant) -> Bool {
        buckets[index].allow(now: now)
    }
}

// SourceRateLimiter: token buckets per source address in a fixed table (the per-source R1 rate limit).
//
// Stages: address (IPv4-mapped) → HMAC-SHA-256 keyed with a per-host random key → first 8 bytes mod the
// table size → that bucket's RateLimiter (RateLimiterTable). Addresses that share a bucket share its rate;
// the key is secret, so an attacker cannot pick addresses that collide with a victim's bucket.
import HIPCrypto
import HIPWire

/// At most `ratePerSecond` events per second per source address (bursts of as many), in
/// `CoreLimits.r1SourceBuckets` buckets: fixed memory whatever the number of sources. A value type.
struct SourceRateLimiter: Sendable {
    private let key: SecretBytes
    private var buckets: RateLimiterTable

    init(ratePerSecond: Int, random: any RandomSource, now: Instant) {
        key = SecretBytes(random.bytes(CoreLimits.r1SourceKeyLength))
        buckets = RateLimiterTable(count: CoreLimits.r1SourceBuckets, ratePerSecond: ratePerSecond, now: now)
    }

    /// True (and one of `source`'s tokens spent) if an event from `source` may happen now.
    mutating func allow(_ source: IPAddress, now: Instant) -> Bool {
        buckets.allow(bucket: bucket(of: source), now: now)
    }

    /// The bucket index of `source`.
    func bucket(of source: IPAddress) -> Int {
        let digest = HMAC.authenticate(.sha256, key: key, data: source.v4Mapped)
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(value % UInt64(buckets.count))
    }
}

// Instant: a point on the shell's monotonic clock, passed into every call (the core reads no clock).

/// A monotonic time in nanoseconds since an arbitrary origin chosen by the shell (e.g. CLOCK_MONOTONIC).
/// Only differences and order are meaningful. A value type; use it anywhere.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = Instant(nanoseconds: 0)

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// `lhs` moved forward by `rhs` (saturating; negative durations count as zero).
    public static func + (lhs: Instant, rhs: Duration) -> Instant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanosecondsClamped)
        return Instant(nanoseconds: overflow ? .max : sum)
    }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: Instant, rhs: Instant) -> Duration {
        lhs >= rhs ? .nanoseconds(Int64(clamping: lhs.nanoseconds - rhs.nanoseconds))
            : .zero - .nanoseconds(Int64(clamping: rhs.nanoseconds - lhs.nanoseconds))
    }

    public var description: String { "\(nanoseconds) ns" }
}

extension Duration {
    /// Whole nanoseconds, clamped to 0...UInt64.max.
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (scaled, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflow2) = scaled.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow2 ? .max : total
    }
}

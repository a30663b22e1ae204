// MonotonicClock: the shell's clock for the protocol core (CLOCK_MONOTONIC as HIPCore.Instant).
import Glibc
import HIPCore

/// Reads CLOCK_MONOTONIC: the node's clock (as a `NodeClock` value), and real time for I/O deadlines
/// (`MonotonicClock.now()`). Any thread.
struct MonotonicClock: NodeClock {
    static func now() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Instant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }

    func now() -> Instant {
        Self.now()
    }
}

extension Instant {
    /// Milliseconds from `now` until this instant, rounded up, 0 once it has passed: a poll or epoll timeout.
    func timeoutMilliseconds(from now: Instant) -> Int32 {
        guard self > now else { return 0 }
        return Int32(clamping: (nanoseconds - now.nanoseconds + 999_999) / 1_000_000)
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point value (for logs and status).
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

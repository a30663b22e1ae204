// MonotonicClock: the shell's clock for the protocol core (CLOCK_MONOTONIC as HIPCore.Instant).
import Glibc
import HIPCore

/// Reads CLOCK_MONOTONIC. Any thread.
enum MonotonicClock {
    static func now() -> Instant {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Instant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }
}

extension Duration {
    /// The duration in milliseconds, as a floating-point value (for logs and status).
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

// TestClock: the node's clock in the virtual-network tests: real monotonic time plus an offset the test
// moves forward, so deadlines in the core (retransmissions, rekey by age, locator verification) can be
// reached at once while everything else keeps running in real time (shutdown waits, epoll timeouts).
// After `advance`, wake the loops (VirtualHost does): they compare deadlines with `now` when they wake.
import HIPCore
import Synchronization
@testable import SynapticNode

/// A NodeClock that can jump forward. Any thread.
final class TestClock: NodeClock {
    private let offset = Atomic<UInt64>(0)

    func now() -> Instant {
        MonotonicClock.now() + .nanoseconds(offset.load(ordering: .relaxed))
    }

    /// Moves the clock forward by `duration` (never back).
    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        offset.add(UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000), ordering: .relaxed)
    }
}

// NodeClock: where the node's loops read the `now` they give HIPCore and use for their own deadlines (the
// seam the virtual-network tests fill with a clock they can move forward).
//
//   control plane: every event's `now`, the core's `.wake(at:)` deadline, the idle check, the CLOSE wait
//   inside path:   when a packet without SA is queued (PendingTable), read per queued packet
//   outside path:  ESP source reports, unknown-SPI limits, parked ESP ages, read once per batch
//   flow policy:   when the socket tables were read (ListenerFamilyPolicy)
// The loops still wait in epoll for real milliseconds (`Instant.timeoutMilliseconds(from:)`), so a clock
// that jumps forward makes a deadline due at the next wake-up of the loop, not at once.
// Not on this clock: the status and metrics services' I/O deadlines (real time). Uptime is this clock's
// time since `Node` started (the real clock there).
import HIPCore

/// A monotonic clock. Concurrency: `now()` from any thread; successive readings never go back.
protocol NodeClock: Sendable {
    func now() -> Instant
}

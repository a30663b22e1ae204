// ReadinessSignal: what makes the in-memory doubles pollable by the node's EventPollers.
//
// An eventfd (no root needed; from CSynapticShims' headers): readable while its counter is non-zero, and
// always writable, as an idle socket is. A double sets it when its queue becomes non-empty and clears it
// when a read empties the queue, both under the double's own lock, so the descriptor polls readable
// exactly while something waits (level-triggered, as the paths expect of a TUN or a socket).
import CSynapticShims
import Glibc
import Synchronization

/// An eventfd used as a "something waits" flag. `set`, `clear`, `close` from any thread; callers keep
/// set/clear consistent with their queue under their own lock.
final class ReadinessSignal: Sendable {
    private let descriptor: Atomic<Int32>

    init() {
        let fd = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(fd >= 0, "eventfd failed: errno \(errno)")
        descriptor = Atomic(fd)
    }

    /// The descriptor to register with an EventPoller; -1 once closed.
    var fileDescriptor: Int32 { descriptor.load(ordering: .relaxed) }

    /// Makes the descriptor readable.
    func set() {
        var one: UInt64 = 1
        _ = write(fileDescriptor, &one, MemoryLayout<UInt64>.size)
    }

    /// Makes the descriptor not readable.
    func clear() {
        var value: UInt64 = 0
        _ = read(fileDescriptor, &value, MemoryLayout<UInt64>.size)
    }

    /// Closes the eventfd (the pollers drop it). Idempotent; after the loops polling it stopped.
    func close() {
        let fd = descriptor.exchange(-1, ordering: .relaxed)
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}

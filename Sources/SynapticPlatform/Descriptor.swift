// Descriptor: an owned file descriptor, closed exactly once.

import Glibc
import Synchronization

/// Owns one file descriptor. `close()` may be called from any thread and more than once; after it,
/// `rawValue` is -1 and every later call made with it fails with EBADF (a typed `SystemError`).
/// A call already running on another thread when `close()` happens is not stopped, and the number may be
/// reused by the next open: owners stop their I/O threads (or wake them with `EventPoller.wake()`) first.
final class Descriptor: Sendable {
    private let value: Atomic<Int32>

    init(_ fd: Int32) {
        value = Atomic(fd)
    }

    /// The descriptor, or -1 once closed.
    var rawValue: Int32 { value.load(ordering: .acquiring) }

    func close() {
        let fd = value.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { _ = Glibc.close(fd) }
    }

    deinit { close() }
}

// BatchProgress: how far a batched write or send got.

import Glibc

/// The result of writing a batch (TUN packets or datagrams) from some start index.
///
/// `next == count` means the whole batch was handled. `next < count` means the descriptor would block:
/// wait until it is writable (EventPoller) and call again from `next`. Packets the kernel refuses one by
/// one (no route, too big, malformed) are skipped, counted in `rejected`, and the last such error is kept
/// in `lastRejection`; they do not stop the batch.
public struct BatchProgress: Hashable, Sendable {
    /// The first index not yet attempted.
    public var next: Int
    /// Packets the kernel accepted.
    public var sent: Int
    /// Packets the kernel refused individually.
    public var rejected: Int
    public var lastRejection: SystemError?

    public init(next: Int, sent: Int = 0, rejected: Int = 0, lastRejection: SystemError? = nil) {
        self.next = next
        self.sent = sent
        self.rejected = rejected
        self.lastRejection = lastRejection
    }

    /// Whether a failed write of one packet is about that packet (skip it) rather than about the descriptor
    /// (throw): everything except a bad, closed or detached descriptor or a bad pointer.
    static func isPerPacket(_ error: SystemError) -> Bool {
        guard let code = error.errno else { return false }
        return ![EBADF, EBADFD, EFAULT, ENOTSOCK].contains(code)
    }
}

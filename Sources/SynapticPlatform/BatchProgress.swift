// BatchProgress: how far a batched send got.

import Glibc

/// The result of sending a batch of datagrams from some start index.
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
    /// The pieces (iovecs) those refused datagrams had: the inside path sends one sealed packet per piece.
    public var rejectedPieces: Int
    public var lastRejection: SystemError?

    public init(next: Int, sent: Int = 0, rejected: Int = 0, rejectedPieces: Int = 0, lastRejection: SystemError? = nil) {
        self.next = next
        self.sent = sent
        self.rejected = rejected
        self.rejectedPieces = rejectedPieces
        self.lastRejection = lastRejection
    }

    /// After a write of packet `next` failed with `error`: when the error is about that packet, counts it
    /// as rejected and moves past it; when it is about the descriptor, rethrows it.
    mutating func skip(failedWith error: SystemError) throws(SystemError) {
        guard Self.isPerPacket(error) else { throw error }
        rejected += 1
        lastRejection = error
        next += 1
    }

    /// Whether a failed write of one packet is about that packet (skip it) rather than about the descriptor
    /// (throw): everything except a bad, closed or detached descriptor or a bad pointer.
    private static func isPerPacket(_ error: SystemError) -> Bool {
        guard let code = error.errno else { return false }
        return ![EBADF, EBADFD, EFAULT, ENOTSOCK].contains(code)
    }
}

// IOVectors: the iovec array of one gathered write (writev), allocated once. Like DatagramBatch it owns no
// packet memory: each piece points at bytes the caller owns (the data plane's PacketBatch slots), which
// must stay put until the write returns.

import Glibc

/// Up to `capacity` pieces written as one, in order. Nothing allocates after init. Concurrency: one owner
/// at a time (`@unchecked Sendable` to be handed between queues), not changed while a write runs.
public final class IOVectors: @unchecked Sendable {
    public let capacity: Int
    /// Pieces appended since `removeAll`.
    public private(set) var count = 0
    let vectors: UnsafeMutablePointer<iovec>

    public init(capacity: Int) {
        precondition(capacity > 0, "a write needs a piece")
        self.capacity = capacity
        vectors = .allocate(capacity: capacity)
        vectors.initialize(repeating: iovec(), count: capacity)
    }

    deinit { vectors.deallocate() }

    /// Forgets every piece.
    public func removeAll() { count = 0 }

    /// Appends `piece`. Traps when full (a caller bug: the capacity is sized for the largest write).
    public func append(_ piece: UnsafeRawBufferPointer) {
        precondition(count < capacity, "too many pieces for one write")
        vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: piece.baseAddress), iov_len: piece.count)
        count += 1
    }

    /// Piece `index` (for devices that stand in for a TUN).
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "piece index out of range")
        return UnsafeRawBufferPointer(start: vectors[index].iov_base, count: vectors[index].iov_len)
    }
}

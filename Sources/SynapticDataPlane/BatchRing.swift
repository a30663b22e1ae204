// BatchRing: a bounded lock-free queue for handing batches between Dispatch queues (D. Vyukov's bounded
// MPMC queue: each cell carries a sequence number that says whose turn it is).
//
//   push:  claim `tail` with CAS when cell.sequence == tail → store element → cell.sequence = tail + 1
//   pop:   claim `head` with CAS when cell.sequence == head + 1 → take element → cell.sequence = head + capacity
//
// Acquire/release on the cell sequence orders the element (and the batch's buffers) between threads.
// Full queue: `push` refuses and counts a drop; `pushEvictingOldest` pops the oldest element, counts it
// and hands it to the caller to recycle, then pushes.

import Synchronization

/// Bounded multi-producer multi-consumer ring; any thread may push or pop. Never allocates after init.
public final class BatchRing<Element: Sendable>: Sendable {
    private nonisolated(unsafe) let sequences: UnsafeMutablePointer<Atomic<Int>>
    private nonisolated(unsafe) let elements: UnsafeMutablePointer<Element?>
    private let mask: Int
    private let tail = Atomic<Int>(0)
    private let head = Atomic<Int>(0)
    private let drops = Atomic<Int>(0)

    /// A ring holding up to `capacity` elements (rounded up to a power of two, at least 2).
    public init(capacity: Int) {
        var size = 2
        while size < capacity { size <<= 1 }
        mask = size - 1
        sequences = .allocate(capacity: size)
        elements = .allocate(capacity: size)
        for index in 0..<size {
            (sequences + index).initialize(to: Atomic(index))
            (elements + index).initialize(to: nil)
        }
    }

    deinit {
        sequences.deinitialize(count: mask + 1)
        sequences.deallocate()
        elements.deinitialize(count: mask + 1)
        elements.deallocate()
    }

    /// How many elements fit.
    public var capacity: Int { mask + 1 }

    /// Elements refused or evicted because the ring was full, since creation.
    public var dropped: Int { drops.load(ordering: .relaxed) }

    /// Appends `element`; false (and one counted drop) when the ring is full.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        if tryPush(element) { return true }
        drops.add(1, ordering: .relaxed)
        return false
    }

    /// Appends `element`, first removing the oldest elements while the ring is full; each one removed is
    /// counted as a drop and passed to `recycle` (for example, back to its slab).
    public func pushEvictingOldest(_ element: Element, recycle: (Element) -> Void) {
        while !tryPush(element) {
            if let oldest = pop() {
                drops.add(1, ordering: .relaxed)
                recycle(oldest)
            }
        }
    }

    /// Removes the oldest element, or nil when empty.
    public func pop() -> Element? {
        var position = head.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            let difference = sequence &- (position &+ 1)
            if difference == 0 {
                let (exchanged, current) = head.weakCompareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed)
                if exchanged { break }
                position = current
            } else if difference < 0 {
                return nil
            } else {
                position = head.load(ordering: .relaxed)
            }
        }
        let element = elements[position & mask].take()
        sequences[position & mask].store(position &+ mask &+ 1, ordering: .releasing)
        return element
    }

    private func tryPush(_ element: Element) -> Bool {
        var position = tail.load(ordering: .relaxed)
        while true {
            let sequence = sequences[position & mask].load(ordering: .acquiring)
            let difference = sequence &- position
            if difference == 0 {
                let (exchanged, current) = tail.weakCompareExchange(
                    expected: position, desired: position &+ 1, ordering: .relaxed)
                if exchanged { break }
                position = current
            } else if difference < 0 {
                return false
            } else {
                position = tail.load(ordering: .relaxed)
            }
        }
        elements[position & mask] = element
        sequences[position & mask].store(position &+ 1, ordering: .releasing)
        return true
    }
}

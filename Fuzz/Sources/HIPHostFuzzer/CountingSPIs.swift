// CountingSPIs: the fuzzed host's inbound SPI allocator: 256, 257, … counted again from the start of each
// input (`restart`), so an input's SPIs do not depend on the inputs before it and nothing piles up
// across inputs (HIPHost copies share their allocator).
import HIPCore
import Synchronization

/// Hands out consecutive SPIs from 256; `release` keeps nothing to free.
final class CountingSPIs: SPIAllocator {
    private static let first: UInt32 = 256
    private let next = Mutex(first)

    func allocate(excluding: UInt32?) -> UInt32? {
        next.withLock { next in
            if next == excluding { next += 1 }
            defer { next += 1 }
            return next
        }
    }

    func release(_ spi: UInt32) {}

    /// Starts counting from 256 again.
    func restart() {
        next.withLock { $0 = Self.first }
    }
}

// SPIAllocator: who hands out our inbound ESP SPIs (RFC 7402 §3.2.1, RFC 4303 §2.1), injected so that the
// shell can share one allocator with the data plane's SA table and tests can predict values.
import Synchronization

/// Allocates inbound SPIs: each ≥ 256, unique among the SPIs this host has allocated and not released, and
/// never equal to `excluding` (the peer's inbound SPI, so that the two directions of a pair differ).
/// Implementations are shared by reference and must be thread-safe (the data plane may read them too).
public protocol SPIAllocator: Sendable {
    /// A fresh SPI, or nil when none can be found (the exchange is then dropped and counted).
    func allocate(excluding: UInt32?) -> UInt32?
    /// Returns an SPI when its SA pair is removed.
    func release(_ spi: UInt32)
}

/// Random SPIs ≥ 256 drawn from a `RandomSource`, unique while allocated. Thread-safe (a mutex).
public final class RandomSPIAllocator: SPIAllocator {
    private let random: any RandomSource
    private let inUse = Mutex<Set<UInt32>>([])

    public init(random: any RandomSource) {
        self.random = random
    }

    public func allocate(excluding: UInt32?) -> UInt32? {
        for _ in 0..<CoreLimits.spiAllocationAttempts {
            let candidate = random.uint32()
            guard candidate >= CoreProtocol.minimumSPI, candidate != excluding else { continue }
            let fresh = inUse.withLock { $0.insert(candidate).inserted }
            if fresh { return candidate }
        }
        return nil
    }

    public func release(_ spi: UInt32) {
        _ = inUse.withLock { $0.remove(spi) }
    }

    /// The number of SPIs currently allocated (for tests and status).
    public var allocatedCount: Int { inUse.withLock { $0.count } }
}

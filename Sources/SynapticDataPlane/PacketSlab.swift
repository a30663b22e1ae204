// PacketSlab: all packet memory of one pipeline direction, allocated once.
//
//   memory: | batch 0: buffer 0 | buffer 1 | … | batch 1: … | … |   (batchCount × capacity × bufferSize)
//   free:   BatchRing of the batches not in use; take() pops one, recycle() resets and pushes it back.

/// Preallocated batches of packet buffers. Any thread may `take` and `recycle` (the free list is a
/// lock-free ring); a taken batch belongs to its taker until recycled. Memory is freed with the slab,
/// so the slab must outlive every batch in flight.
public final class PacketSlab: Sendable {
    public let batchCount: Int
    public let batchCapacity: Int
    public let bufferSize: Int
    private nonisolated(unsafe) let memory: UnsafeMutableRawPointer
    private let free: BatchRing<PacketBatch>

    /// A slab of `batchCount` batches of `batchCapacity` buffers of `bufferSize` bytes (at least
    /// headroom + tailroom + 1280, the IPv6 minimum MTU).
    public init(batchCount: Int, batchCapacity: Int = DataPlaneLimits.defaultBatchCapacity,
                bufferSize: Int = DataPlaneLimits.defaultBufferSize) {
        precondition(batchCount > 0 && batchCapacity > 0, "a slab needs at least one batch of one packet")
        precondition(bufferSize >= DataPlaneLimits.headroom + DataPlaneLimits.tailroom + 1280, "buffers too small")
        self.batchCount = batchCount
        self.batchCapacity = batchCapacity
        self.bufferSize = bufferSize
        let batchBytes = batchCapacity * bufferSize
        memory = .allocate(byteCount: batchCount * batchBytes, alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: batchCount * batchBytes)
        free = BatchRing(capacity: batchCount)
        for index in 0..<batchCount {
            free.push(PacketBatch(memory: memory + index * batchBytes, capacity: batchCapacity,
                                  bufferSize: bufferSize))
        }
    }

    deinit {
        while free.pop() != nil {}
        memory.deallocate()
    }

    /// An empty batch, or nil when every batch is in use (the caller counts that as back-pressure).
    public func take() -> PacketBatch? { free.pop() }

    /// Gives a batch back; it is reset on the way.
    public func recycle(_ batch: PacketBatch) {
        batch.reset()
        free.push(batch)
    }
}

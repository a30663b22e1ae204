// PacketBatch: the packet memory of the data plane. Every packet buffer synaptic reads into, seals or
// opens in place, and sends or writes from is a slot of a PacketBatch.
//
//   memory:    | slot 0 | slot 1 | … | slot capacity−1 |   one allocation, slots 64-byte aligned
//   slot i:    | headroom (64) | packet bytes (offset[i] ..< offset[i] + length[i]) … | tailroom |
//              ^ buffer(at: i).baseAddress, `bufferSize` bytes, fixed for the life of the batch
//
// Stages move the packet window inside its buffer (strip/grow headers, seal/open in place) by changing
// offset and length; the memory never moves and is never reallocated. The platform's I/O (TUN reads and
// writes, recvmmsg/sendmmsg through a DatagramBatch) is pointed at these windows; it owns no packet memory.

/// A fixed set of packet buffers that travel through the pipeline together, with each packet's window and
/// metadata. Owned by one stage at a time: a stage touches a batch only between taking it and handing it
/// on, so it is `@unchecked Sendable` (the StageWorkers' semaphores order the handoff to helper threads).
public final class PacketBatch: @unchecked Sendable {
    /// Slots start on cache-line boundaries.
    private static let slotAlignment = 64

    /// Packets this batch can hold.
    public let capacity: Int
    /// Bytes of every buffer.
    public let bufferSize: Int
    /// Packets currently in the batch (0…capacity); set by whoever fills it.
    public var count = 0

    private let stride: Int
    private let memory: UnsafeMutableRawPointer
    private let offsets: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    private let metadata: UnsafeMutablePointer<PacketMetadata>
    /// Processor state between stages, and the SA each packet uses (set by the sequential stage, read by
    /// the parallel one, cleared by the last one).
    let stages: UnsafeMutablePointer<PacketStage>
    let associations: UnsafeMutablePointer<AnyObject?>

    /// `capacity` buffers of `bufferSize` bytes each, zeroed, every window empty at the headroom. Allocates
    /// once, here; nothing else in the batch allocates.
    public init(capacity: Int, bufferSize: Int = DataPlaneLimits.defaultBufferSize) {
        precondition(capacity > 0, "a batch needs at least one slot")
        precondition(bufferSize >= DataPlaneLimits.headroom + DataPlaneLimits.tailroom + 1280, "buffers too small")
        self.capacity = capacity
        self.bufferSize = bufferSize
        stride = (bufferSize + Self.slotAlignment - 1) / Self.slotAlignment * Self.slotAlignment
        memory = .allocate(byteCount: capacity * stride, alignment: Self.slotAlignment)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * stride)
        offsets = .allocate(capacity: capacity)
        offsets.initialize(repeating: DataPlaneLimits.headroom, count: capacity)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        metadata = .allocate(capacity: capacity)
        metadata.initialize(repeating: PacketMetadata(), count: capacity)
        stages = .allocate(capacity: capacity)
        stages.initialize(repeating: PacketStage(), count: capacity)
        associations = .allocate(capacity: capacity)
        associations.initialize(repeating: nil, count: capacity)
    }

    deinit {
        memory.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        metadata.deinitialize(count: capacity)
        metadata.deallocate()
        stages.deinitialize(count: capacity)
        stages.deallocate()
        associations.deinitialize(count: capacity)
        associations.deallocate()
    }

    /// The whole buffer of packet `index` (what a reader fills, starting at `offset(of:)`).
    @inline(__always)
    public func buffer(at index: Int) -> UnsafeMutableRawBufferPointer {
        precondition(index >= 0 && index < capacity, "packet index out of range")
        return UnsafeMutableRawBufferPointer(start: memory + index * stride, count: bufferSize)
    }

    /// The buffer of packet `index` after the headroom and before the tailroom: where a packet that stages
    /// will grow and seal in place is read or copied to (its window then starts at the headroom).
    @inline(__always)
    public func readArea(at index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: buffer(at: index)[DataPlaneLimits.headroom..<bufferSize - DataPlaneLimits.tailroom])
    }

    /// The packet bytes of packet `index`.
    @inline(__always)
    public func packet(at index: Int) -> UnsafeMutableRawBufferPointer {
        let whole = buffer(at: index)
        return UnsafeMutableRawBufferPointer(rebasing: whole[offsets[index]..<offsets[index] + lengths[index]])
    }

    /// Where packet `index` starts in its buffer.
    @inline(__always)
    public func offset(of index: Int) -> Int { offsets[index] }

    /// How long packet `index` is.
    @inline(__always)
    public func length(of index: Int) -> Int { lengths[index] }

    /// Moves the window of packet `index`; it must lie inside the buffer.
    @inline(__always)
    public func setPacket(_ index: Int, offset: Int, length: Int) {
        precondition(index >= 0 && index < capacity && offset >= 0 && length >= 0
                     && offset + length <= bufferSize, "packet window outside its buffer")
        offsets[index] = offset
        lengths[index] = length
    }

    /// Marks packet `index` as `length` bytes in its read area (after the headroom), with no metadata.
    @inline(__always)
    public func setRead(_ index: Int, length: Int) {
        setPacket(index, offset: DataPlaneLimits.headroom, length: length)
        metadata[index] = PacketMetadata()
    }

    /// The metadata of packet `index`.
    @inline(__always)
    public subscript(metadata index: Int) -> PacketMetadata {
        get { metadata[index] }
        set { metadata[index] = newValue }
    }
}

// PacketBatch: up to `capacity` packets that travel through the pipeline together.
//
//   buffer i:  | headroom (64) | packet bytes (offset[i] ..< offset[i] + length[i]) … | tailroom |
//              ^ buffer(at: i).baseAddress, fixed slab memory of `bufferSize` bytes
//
// Stages move the packet window inside its buffer (strip/grow headers, seal/open in place) by changing
// offset and length; the memory never moves and is never reallocated.
//
// A view batch (`init(viewing:bufferSize:)`) owns no packet memory: `setView` points each slot at a buffer
// someone else owns (the node's platform DatagramBatch slots), so the processors' batch stages run on those
// packets in place, without copying them.

/// A batch of packet buffers carved from a `PacketSlab`. Owned by one stage at a time: a stage may touch
/// a batch only between taking it (from the slab or a `BatchRing`) and handing it on, so it is
/// `@unchecked Sendable`; the ring's acquire/release orders the handoff.
public final class PacketBatch: @unchecked Sendable {
    /// Packets this batch can hold.
    public let capacity: Int
    /// Bytes of every buffer.
    public let bufferSize: Int
    /// Packets currently in the batch (0…capacity); set by whoever fills it.
    public var count = 0

    /// Where each buffer starts: slab memory, or the buffers `setView` attached (nil until then).
    private let bases: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let offsets: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>
    private let metadata: UnsafeMutablePointer<PacketMetadata>
    /// Processor state between stages, and the SA each packet uses (set by the sequential stage, read by
    /// the parallel one, cleared by the last one).
    let stages: UnsafeMutablePointer<PacketStage>
    let associations: UnsafeMutablePointer<AnyObject?>

    /// Buffers live in `memory` (owned by the slab, which outlives its batches).
    convenience init(memory: UnsafeMutableRawPointer, capacity: Int, bufferSize: Int) {
        self.init(capacity: capacity, bufferSize: bufferSize)
        for index in 0..<capacity { bases[index] = memory + index * bufferSize }
    }

    /// A batch of `capacity` slots that view buffers of exactly `bufferSize` bytes owned elsewhere, attached
    /// with `setView`. The owner of those buffers keeps them alive and leaves them alone while the batch is
    /// processed. Allocates its bookkeeping once, here.
    public convenience init(viewing capacity: Int, bufferSize: Int) {
        precondition(capacity > 0 && bufferSize > 0, "a batch needs at least one non-empty buffer")
        self.init(capacity: capacity, bufferSize: bufferSize)
    }

    private init(capacity: Int, bufferSize: Int) {
        self.capacity = capacity
        self.bufferSize = bufferSize
        bases = .allocate(capacity: capacity)
        bases.initialize(repeating: nil, count: capacity)
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
        bases.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        metadata.deinitialize(count: capacity)
        metadata.deallocate()
        stages.deinitialize(count: capacity)
        stages.deallocate()
        associations.deinitialize(count: capacity)
        associations.deallocate()
    }

    /// Empties the batch: count 0, every packet window back at the headroom with length 0, no metadata.
    public func reset() {
        count = 0
        offsets.update(repeating: DataPlaneLimits.headroom, count: capacity)
        lengths.update(repeating: 0, count: capacity)
        metadata.update(repeating: PacketMetadata(), count: capacity)
        associations.update(repeating: nil, count: capacity)
    }

    /// The whole buffer of packet `index` (what a reader fills, starting at `offset(of:)`).
    @inline(__always)
    public func buffer(at index: Int) -> UnsafeMutableRawBufferPointer {
        precondition(index >= 0 && index < capacity, "packet index out of range")
        guard let base = bases[index] else { preconditionFailure("no buffer attached to this slot") }
        return UnsafeMutableRawBufferPointer(start: base, count: bufferSize)
    }

    /// Makes slot `index` of a view batch a view of `buffer` (exactly `bufferSize` bytes) with the packet
    /// at `offset ..< offset + length`, and clears its metadata.
    @inline(__always)
    public func setView(_ index: Int, buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int) {
        precondition(index >= 0 && index < capacity && buffer.count == bufferSize, "view does not fit the batch")
        bases[index] = buffer.baseAddress
        setPacket(index, offset: offset, length: length)
        metadata[index] = PacketMetadata()
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

    /// The metadata of packet `index`.
    @inline(__always)
    public subscript(metadata index: Int) -> PacketMetadata {
        get { metadata[index] }
        set { metadata[index] = newValue }
    }
}

// BufferSlots: the fixed packet memory behind PacketBatch and DatagramBatch.

/// `capacity` buffers of `bufferSize` bytes in one allocation, each with the offset and length of the
/// packet it currently holds. Allocated once; nothing here allocates afterwards. Owned by one batch.
struct BufferSlots {
    /// Slots start on cache-line boundaries.
    private static let slotAlignment = 64

    let capacity: Int
    let bufferSize: Int
    let headroom: Int
    private let stride: Int
    private let memory: UnsafeMutableRawPointer
    private let offsets: UnsafeMutablePointer<Int>
    private let lengths: UnsafeMutablePointer<Int>

    /// Traps when the sizes are negative or the headroom does not leave room in a buffer: these are
    /// programming errors of the caller, fixed at startup.
    init(capacity: Int, bufferSize: Int, headroom: Int) {
        precondition(capacity > 0 && bufferSize > 0, "a batch needs at least one non-empty buffer")
        precondition(headroom >= 0 && headroom < bufferSize, "headroom must leave room in the buffer")
        self.capacity = capacity
        self.bufferSize = bufferSize
        self.headroom = headroom
        stride = (bufferSize + BufferSlots.slotAlignment - 1) / BufferSlots.slotAlignment * BufferSlots.slotAlignment
        memory = .allocate(byteCount: stride * capacity, alignment: BufferSlots.slotAlignment)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: stride * capacity)
        offsets = .allocate(capacity: capacity)
        offsets.initialize(repeating: headroom, count: capacity)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
    }

    func deallocate() {
        memory.deallocate()
        offsets.deallocate()
        lengths.deallocate()
    }

    /// The whole buffer of slot `index`.
    func buffer(at index: Int) -> UnsafeMutableRawBufferPointer {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return UnsafeMutableRawBufferPointer(start: memory + index * stride, count: bufferSize)
    }

    /// Where a packet is read into: the buffer after the headroom.
    func receiveArea(at index: Int) -> UnsafeMutableRawBufferPointer {
        let whole = buffer(at: index)
        return UnsafeMutableRawBufferPointer(rebasing: whole[headroom...])
    }

    /// The packet slot `index` holds.
    func packet(at index: Int) -> UnsafeMutableRawBufferPointer {
        let whole = buffer(at: index)
        return UnsafeMutableRawBufferPointer(rebasing: whole[offsets[index]..<(offsets[index] + lengths[index])])
    }

    /// Records that slot `index` holds `length` bytes at `offset`. Traps when the range leaves the buffer
    /// (a programming error).
    func setPacket(at index: Int, offset: Int, length: Int) {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        precondition(offset >= 0 && length >= 0 && offset + length <= bufferSize, "packet range outside the buffer")
        offsets[index] = offset
        lengths[index] = length
    }
}

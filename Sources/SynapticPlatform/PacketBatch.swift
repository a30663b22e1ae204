// PacketBatch: preallocated buffers for batched TUN reads and writes.

/// A fixed set of packet buffers that `TunDevice.read(into:)` fills and `TunDevice.write(_:)` drains.
///
/// Memory is allocated once in `init`; reading and writing never allocate. Each slot holds one packet:
/// reads place it after `headroom` bytes (room to prepend headers in place); writers put a packet anywhere
/// in the buffer with `setPacket(at:offset:length:)` and set `count`. With a virtio-net header enabled on
/// the TUN, every packet starts with that header (`TunDevice.virtioNetHeaderLength` bytes).
///
/// Concurrency: `@unchecked Sendable` so it can be handed from one queue to the next; it has one owner at
/// a time and is never used from two threads at once.
public final class PacketBatch: @unchecked Sendable {
    let slots: BufferSlots

    /// How many slots, from 0, hold packets: set by a read, or by the caller before a write.
    public var count: Int = 0 {
        didSet { precondition(count >= 0 && count <= capacity, "count outside 0...capacity") }
    }

    /// `capacity` buffers of `bufferSize` bytes each; reads leave `headroom` bytes free in front.
    /// `bufferSize - headroom` must hold the largest packet (MTU, plus the virtio-net header when enabled);
    /// a longer packet is cut to fit by the kernel.
    public init(capacity: Int, bufferSize: Int, headroom: Int = 0) {
        slots = BufferSlots(capacity: capacity, bufferSize: bufferSize, headroom: headroom)
    }

    deinit { slots.deallocate() }

    public var capacity: Int { slots.capacity }
    public var bufferSize: Int { slots.bufferSize }
    public var headroom: Int { slots.headroom }

    /// The whole buffer of slot `index` (to build a packet in).
    public func buffer(at index: Int) -> UnsafeMutableRawBufferPointer { slots.buffer(at: index) }

    /// The packet in slot `index`.
    public func packet(at index: Int) -> UnsafeMutableRawBufferPointer { slots.packet(at: index) }

    /// Marks `length` bytes at `offset` of slot `index` as its packet.
    public func setPacket(at index: Int, offset: Int, length: Int) {
        slots.setPacket(at: index, offset: offset, length: length)
    }
}

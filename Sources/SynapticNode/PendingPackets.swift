// PendingPackets: packets that wait for an SA: inner packets for a peer whose base exchange runs (inside
// path), or ESP packets that arrived just before their inbound SA was installed (outside path).
//
//   memory: | slot 0 | slot 1 | … | slot capacity−1 |   each `slotSize` bytes, allocated once
//   ring:   head → oldest packet; append copies into slot (head + count) % capacity; full → refuse, count
//
// The owner appends what it cannot process yet (with its arrival time and, for ESP, the UDP source it came
// from) and, once the SA is installed, takes the packets out in order (copying each into a work buffer) and
// processes them. Nothing is dropped silently: every refused
// or discarded packet is counted, by reason.
import HIPCore
import SynapticPlatform

/// A bounded FIFO of packet copies. Owned by one data path's thread; not Sendable.
final class PendingPackets {
    /// Why queued packets were dropped.
    struct Drops: Hashable, Sendable {
        /// The queue was full when the packet arrived.
        var queueFull: UInt64 = 0
        /// The base exchange failed or the peer could not be reached; the queue was discarded.
        var exchangeFailed: UInt64 = 0
        /// The packet was longer than a slot.
        var tooBig: UInt64 = 0

        var total: UInt64 { queueFull + exchangeFailed + tooBig }
    }

    let capacity: Int
    let slotSize: Int
    private let memory: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let arrivals: UnsafeMutablePointer<Instant>
    private let sources: UnsafeMutablePointer<SocketAddress?>
    private var head = 0
    private(set) var count = 0
    private(set) var drops = Drops()
    /// When the node last asked the control plane to start an exchange for these packets.
    var lastRequest: Instant?

    init(capacity: Int, slotSize: Int) {
        precondition(capacity > 0 && slotSize > 0, "a pending queue needs room for one packet")
        self.capacity = capacity
        self.slotSize = slotSize
        memory = .allocate(byteCount: capacity * slotSize, alignment: 64)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        arrivals = .allocate(capacity: capacity)
        arrivals.initialize(repeating: .zero, count: capacity)
        sources = .allocate(capacity: capacity)
        sources.initialize(repeating: nil, count: capacity)
    }

    deinit {
        memory.deallocate()
        lengths.deallocate()
        arrivals.deallocate()
        sources.deinitialize(count: capacity)
        sources.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// When the oldest packet arrived (as given to `append`), or nil when empty.
    var oldestArrival: Instant? { count > 0 ? arrivals[head] : nil }

    /// Where the oldest packet came from (as given to `append`), or nil when empty or not given.
    var oldestSource: SocketAddress? { count > 0 ? sources[head] : nil }

    /// Copies `packet` to the back of the queue; false (and counted) when full or too big.
    @discardableResult
    func append(_ packet: UnsafeRawBufferPointer, arrival: Instant = .zero, source: SocketAddress? = nil) -> Bool {
        guard packet.count <= slotSize else {
            drops.tooBig += 1
            return false
        }
        guard count < capacity else {
            drops.queueFull += 1
            return false
        }
        let slot = (head + count) % capacity
        if let base = packet.baseAddress { (memory + slot * slotSize).copyMemory(from: base, byteCount: packet.count) }
        lengths[slot] = packet.count
        arrivals[slot] = arrival
        sources[slot] = source
        count += 1
        return true
    }

    /// Moves the oldest packet into `destination` (which must hold `slotSize` bytes) and returns its
    /// length; nil when empty.
    func removeFirst(into destination: UnsafeMutableRawBufferPointer) -> Int? {
        guard count > 0 else { return nil }
        let length = lengths[head]
        precondition(destination.count >= length, "destination smaller than the packet")
        if let base = destination.baseAddress { base.copyMemory(from: memory + head * slotSize, byteCount: length) }
        head = (head + 1) % capacity
        count -= 1
        return length
    }

    /// Drops the oldest packet, counting it as `exchangeFailed` (it waited too long).
    func dropFirst() {
        guard count > 0 else { return }
        drops.exchangeFailed += 1
        head = (head + 1) % capacity
        count -= 1
    }

    /// Discards every queued packet, counting them as `exchangeFailed`.
    func discardAll() {
        drops.exchangeFailed += UInt64(count)
        head = 0
        count = 0
    }
}

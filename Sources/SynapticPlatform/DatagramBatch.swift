// DatagramBatch: address-stable mmsghdr/iovec/sockaddr/cmsg memory and packet buffers for one
// recvmmsg or sendmmsg call.
//
// Why address-stable: the kernel reads and writes through the pointers inside each mmsghdr, so the
// headers, iovecs, socket addresses and control buffers live in memory allocated once in init (Swift
// array pointers are only valid for one call). Before every receive all per-message fields the kernel
// overwrites (msg_namelen, msg_controllen, iov_len, msg_flags, msg_len) are reset; a send rewrites the
// header of each slot in setDatagram, so a batch can alternate between receiving and sending.
// In-memory transports (test doubles of a socket) fill slots with setReceived: the same headers, names and
// packet info a recvmmsg leaves, so the readers of a batch cannot tell the two apart.

import CSynapticShims
import Glibc

/// A batch of datagrams for `UDPSocket` and `RawHIPSocket`: up to `capacity` messages, each with its
/// buffer, peer address, local address (IP_PKTINFO / IPV6_PKTINFO) and UDP segment size.
///
/// Receiving fills slots 0..<count: `packet(at:)`, `peer(at:)` (the source), `destination(at:)` (the local
/// address the datagram was sent to), `segmentSize(at:)` (GRO). Sending takes slots 0..<count prepared
/// with `setDatagram(at:offset:length:to:from:segmentSize:)`.
/// Nothing allocates after init. Concurrency: `@unchecked Sendable` to be handed between queues; one owner
/// at a time, never used from two threads at once, and not reused while a receive or send runs.
public final class DatagramBatch: @unchecked Sendable {
    let slots: BufferSlots
    let headers: UnsafeMutablePointer<synaptic_mmsghdr>
    private let iovecs: UnsafeMutablePointer<iovec>
    private let names: UnsafeMutablePointer<sockaddr_storage>
    private let control: UnsafeMutableRawPointer
    private let controlSize = PlatformLimits.controlBytesPerDatagram

    /// How many slots, from 0, hold datagrams: set by a receive, or by the caller before a send.
    public var count: Int = 0 {
        didSet { precondition(count >= 0 && count <= capacity, "count outside 0...capacity") }
    }

    /// `capacity` datagrams of up to `bufferSize - headroom` bytes each (use 65535 + headroom to never cut
    /// a datagram; with UDP GRO a coalesced datagram can be that large). Received datagrams start at
    /// `headroom`, leaving room in front for headers added in place.
    public init(capacity: Int, bufferSize: Int, headroom: Int = 0) {
        slots = BufferSlots(capacity: capacity, bufferSize: bufferSize, headroom: headroom)
        headers = .allocate(capacity: capacity)
        headers.initialize(repeating: synaptic_mmsghdr(), count: capacity)
        iovecs = .allocate(capacity: capacity)
        iovecs.initialize(repeating: iovec(), count: capacity)
        names = .allocate(capacity: capacity)
        names.initialize(repeating: sockaddr_storage(), count: capacity)
        control = .allocate(byteCount: capacity * controlSize, alignment: MemoryLayout<cmsghdr>.alignment)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * controlSize)
    }

    deinit {
        slots.deallocate()
        headers.deallocate()
        iovecs.deallocate()
        names.deallocate()
        control.deallocate()
    }

    public var capacity: Int { slots.capacity }
    public var bufferSize: Int { slots.bufferSize }
    public var headroom: Int { slots.headroom }

    // MARK: - Slots

    /// The whole buffer of slot `index` (to build a datagram in).
    public func buffer(at index: Int) -> UnsafeMutableRawBufferPointer { slots.buffer(at: index) }

    /// The datagram in slot `index`. For an IPv4 raw socket it starts with the IP header (see IPv4Header).
    public func packet(at index: Int) -> UnsafeMutableRawBufferPointer { slots.packet(at: index) }

    /// The peer of slot `index`: the source of a received datagram, the destination of one to send.
    /// Nil if the kernel gave no IPv4/IPv6 address. Raw sockets report port 0.
    public func peer(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return SocketAddress(sockaddr: UnsafeRawPointer(names + index), length: Int(headers[index].msg_hdr.msg_namelen))
    }

    /// Whether the received datagram in slot `index` was longer than its buffer and cut (MSG_TRUNC).
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return headers[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
    }

    /// Prepares slot `index` to send `length` bytes at `offset` of its buffer to `peer`, from local address
    /// `source` when given (IP_PKTINFO / IPV6_PKTINFO: replies leave from the address the request came to),
    /// as UDP segments of `segmentSize` bytes when non-zero (UDP_SEGMENT, GSO; UDP sockets only).
    /// Traps if the range leaves the buffer or `source` is of another family than `peer` (caller bugs).
    public func setDatagram(at index: Int, offset: Int = 0, length: Int, to peer: SocketAddress,
                            from source: InetAddress? = nil, segmentSize: Int = 0) {
        slots.setPacket(at: index, offset: offset, length: length)
        precondition(source == nil || source?.family == peer.family, "source and peer of different families")
        precondition(segmentSize >= 0 && segmentSize <= Int(UInt16.max), "segment size out of range")
        let name = UnsafeMutableRawPointer(names + index)
        let nameLength = peer.write(sockaddr: name)
        iovecs[index] = iovec(iov_base: slots.buffer(at: index).baseAddress! + offset, iov_len: length)
        let controlArea = control + index * controlSize
        let controlLength = ControlMessages.writeSend(into: controlArea, capacity: controlSize,
                                                      source: source, segmentSize: UInt16(segmentSize))
        headers[index] = synaptic_mmsghdr(
            msg_hdr: msghdr(msg_name: name, msg_namelen: nameLength, msg_iov: iovecs + index, msg_iovlen: 1,
                            msg_control: controlLength > 0 ? controlArea : nil, msg_controllen: controlLength,
                            msg_flags: 0),
            msg_len: 0)
    }

    // MARK: - Control messages of received datagrams (meaningful after a receive)

    /// The local address the datagram in slot `index` was sent to (IP_PKTINFO / IPV6_PKTINFO); nil when the
    /// socket did not ask for it.
    public func destination(at index: Int) -> InetAddress? {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).destination
    }

    /// The interface the datagram in slot `index` arrived on (from the packet info), or nil.
    public func interfaceIndex(at index: Int) -> UInt32? {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).interfaceIndex
    }

    /// The GRO segment size of slot `index` (UDP_GRO): the datagram is a run of datagrams of this size
    /// (the last one may be shorter). Nil for an ordinary datagram.
    public func segmentSize(at index: Int) -> Int? {
        precondition(index >= 0 && index < capacity, "slot index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).segmentSize
    }

    // MARK: - In-memory transports

    /// Fills slot `index` as a receive of `bytes` from `peer` to the local address `destination` would: the
    /// bytes at `headroom` (cut to the buffer and then flagged as MSG_TRUNC does), the peer's address and the
    /// packet info, so that `packet(at:)`, `peer(at:)`, `destination(at:)` and `isTruncated(at:)` answer
    /// as after recvmmsg. For transports that stand in for a socket (the node's in-memory test doubles);
    /// set `count` afterwards. Traps if `destination` is of another family than `peer` (a caller bug).
    public func setReceived(at index: Int, _ bytes: UnsafeRawBufferPointer, from peer: SocketAddress,
                            to destination: InetAddress) {
        precondition(destination.family == peer.family, "peer and destination of different families")
        let area = slots.receiveArea(at: index)
        let length = min(bytes.count, area.count)
        if length > 0 { area.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<length])) }
        slots.setPacket(at: index, offset: headroom, length: length)
        let name = UnsafeMutableRawPointer(names + index)
        let nameLength = peer.write(sockaddr: name)
        iovecs[index] = iovec(iov_base: area.baseAddress, iov_len: area.count)
        let controlArea = control + index * controlSize
        let controlLength = ControlMessages.writeReceived(into: controlArea, capacity: controlSize,
                                                          destination: destination)
        headers[index] = synaptic_mmsghdr(
            msg_hdr: msghdr(msg_name: name, msg_namelen: nameLength, msg_iov: iovecs + index, msg_iovlen: 1,
                            msg_control: controlArea, msg_controllen: controlLength,
                            msg_flags: length < bytes.count ? Int32(MSG_TRUNC) : 0),
            msg_len: UInt32(length))
    }

    // MARK: - Receive preparation (used by the sockets)

    /// Resets every slot for recvmmsg: the kernel overwrites these fields on each call.
    func prepareForReceive() {
        for index in 0..<capacity {
            let area = slots.receiveArea(at: index)
            iovecs[index] = iovec(iov_base: area.baseAddress, iov_len: area.count)
            headers[index] = synaptic_mmsghdr(
                msg_hdr: msghdr(msg_name: UnsafeMutableRawPointer(names + index),
                                msg_namelen: socklen_t(MemoryLayout<sockaddr_storage>.size),
                                msg_iov: iovecs + index, msg_iovlen: 1,
                                msg_control: control + index * controlSize, msg_controllen: controlSize,
                                msg_flags: 0),
                msg_len: 0)
        }
    }

    /// Records the lengths the kernel reported for the first `received` slots and sets `count`.
    func finishReceive(_ received: Int) {
        for index in 0..<received {
            let area = slots.receiveArea(at: index)
            slots.setPacket(at: index, offset: headroom, length: min(Int(headers[index].msg_len), area.count))
        }
        count = received
    }
}

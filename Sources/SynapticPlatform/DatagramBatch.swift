// DatagramBatch: address-stable mmsghdr/iovec/sockaddr/cmsg memory for one recvmmsg or sendmmsg call. It
// owns no packet memory: each datagram's iovecs point at bytes the caller owns (the data plane's
// PacketBatch slots), which must stay put until the call returns.
//
//   receive:  datagram i ← its receive buffer (setReceiveBuffer, kept across receives; one iovec each)
//   send:     datagram i → its pieces, in order (append, then appendPiece: one iovec each); with a segment
//             size the kernel cuts the concatenated pieces into UDP datagrams of that size (UDP_SEGMENT,
//             GSO), so N sealed packets of one size (the last may be shorter) leave with one datagram here
//
// Why address-stable: the kernel reads and writes through the pointers inside each mmsghdr, so the
// headers, iovecs, socket addresses and control buffers live in memory allocated once in init (Swift
// array pointers are only valid for one call). Before every receive all per-message fields the kernel
// overwrites (msg_namelen, msg_controllen, iov_len, msg_flags, msg_len) are reset; a send rewrites the
// header of each datagram as it is appended, so a batch can alternate between receiving and sending.
// In-memory transports (test doubles of a socket) fill datagrams with setReceived: the same headers, names
// and packet info a recvmmsg leaves, so the readers of a batch cannot tell the two apart.

import CSynapticShims
import Glibc

/// A batch of datagrams for `UDPSocket` and `RawHIPSocket`: up to `capacity` messages, each with its
/// bytes (one or more pieces of caller memory), peer address, local address (IP_PKTINFO / IPV6_PKTINFO)
/// and UDP segment size.
///
/// Receiving fills datagrams 0..<count in their receive buffers: `packet(at:)`, `peer(at:)` (the source),
/// `destination(at:)` (the local address the datagram was sent to), `segmentSize(at:)` (GRO). Sending
/// takes datagrams 0..<count built with `append(_:to:from:segmentSize:)` and `appendPiece(_:)`.
/// Nothing allocates after init. Concurrency: `@unchecked Sendable` to be handed between queues; one owner
/// at a time, never used from two threads at once, and not reused while a receive or send runs.
public final class DatagramBatch: @unchecked Sendable {
    let headers: UnsafeMutablePointer<synaptic_mmsghdr>
    private let iovecs: UnsafeMutablePointer<iovec>
    private let names: UnsafeMutablePointer<sockaddr_storage>
    private let control: UnsafeMutableRawPointer
    private let controlSize = PlatformLimits.controlBytesPerDatagram
    private let receiveBuffers: UnsafeMutablePointer<UnsafeMutableRawBufferPointer>
    /// The UDP_SEGMENT size of each datagram to send (0: none).
    private let sendSegmentSizes: UnsafeMutablePointer<Int>
    /// Iovecs used by the datagrams appended so far.
    private var piecesUsed = 0

    /// Messages this batch holds.
    public let capacity: Int
    /// Pieces (iovecs) all datagrams to send may have together.
    public let pieceCapacity: Int

    /// How many datagrams, from 0, the batch holds: set by a receive, by `append`, or by the caller (a
    /// transport double after `setReceived`, a sender that sends a prefix).
    public var count: Int = 0 {
        didSet { precondition(count >= 0 && count <= capacity, "count outside 0...capacity") }
    }

    /// `capacity` datagrams, with `pieceCapacity` pieces between the datagrams to send (at least one each).
    /// Receive buffers are attached with `setReceiveBuffer(at:_:)`; until then a datagram receives nothing.
    public init(capacity: Int, pieceCapacity: Int? = nil) {
        precondition(capacity > 0, "a batch needs at least one datagram")
        let pieceCapacity = pieceCapacity ?? capacity
        precondition(pieceCapacity >= capacity, "every datagram needs a piece")
        self.capacity = capacity
        self.pieceCapacity = pieceCapacity
        headers = .allocate(capacity: capacity)
        headers.initialize(repeating: synaptic_mmsghdr(), count: capacity)
        iovecs = .allocate(capacity: pieceCapacity)
        iovecs.initialize(repeating: iovec(), count: pieceCapacity)
        names = .allocate(capacity: capacity)
        names.initialize(repeating: sockaddr_storage(), count: capacity)
        control = .allocate(byteCount: capacity * controlSize, alignment: MemoryLayout<cmsghdr>.alignment)
        control.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * controlSize)
        receiveBuffers = .allocate(capacity: capacity)
        receiveBuffers.initialize(repeating: UnsafeMutableRawBufferPointer(start: nil, count: 0), count: capacity)
        sendSegmentSizes = .allocate(capacity: capacity)
        sendSegmentSizes.initialize(repeating: 0, count: capacity)
    }

    deinit {
        headers.deallocate()
        iovecs.deallocate()
        names.deallocate()
        control.deallocate()
        receiveBuffers.deallocate()
        sendSegmentSizes.deallocate()
    }

    // MARK: - Receiving

    /// Makes `buffer` where datagram `index` is received, from now on (use 65535 bytes to never cut a
    /// datagram; with UDP GRO a coalesced datagram can be that large). The caller keeps it alive and leaves
    /// it alone while a receive runs.
    public func setReceiveBuffer(at index: Int, _ buffer: UnsafeMutableRawBufferPointer) {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        receiveBuffers[index] = buffer
    }

    /// The received datagram `index`: its bytes in its receive buffer (cut to the buffer). For an IPv4 raw
    /// socket it starts with the IP header (see IPv4Header).
    public func packet(at index: Int) -> UnsafeMutableRawBufferPointer {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        let buffer = receiveBuffers[index]
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<min(Int(headers[index].msg_len), buffer.count)])
    }

    /// The peer of datagram `index`: the source of a received datagram, the destination of one to send.
    /// Nil if the kernel gave no IPv4/IPv6 address. Raw sockets report port 0.
    public func peer(at index: Int) -> SocketAddress? {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        return SocketAddress(sockaddr: UnsafeRawPointer(names + index), length: Int(headers[index].msg_hdr.msg_namelen))
    }

    /// Whether the received datagram `index` was longer than its buffer and cut (MSG_TRUNC).
    public func isTruncated(at index: Int) -> Bool {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        return headers[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
    }

    /// The local address the datagram `index` was sent to (IP_PKTINFO / IPV6_PKTINFO); nil when the socket
    /// did not ask for it.
    public func destination(at index: Int) -> InetAddress? {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).destination
    }

    /// The interface the datagram `index` arrived on (from the packet info), or nil.
    public func interfaceIndex(at index: Int) -> UInt32? {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).interfaceIndex
    }

    /// The GRO segment size of datagram `index` (UDP_GRO): the datagram is a run of datagrams of this size
    /// (the last one may be shorter). Nil for an ordinary datagram.
    public func segmentSize(at index: Int) -> Int? {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        return ControlMessages.received(in: &headers[index].msg_hdr).segmentSize
    }

    // MARK: - Sending

    /// Empties the batch for appending: count 0, no pieces used.
    public func removeAll() {
        count = 0
        piecesUsed = 0
    }

    /// Appends datagram `count` to `peer` with `piece` as its first bytes (more with `appendPiece`), from
    /// local address `source` when given (IP_PKTINFO / IPV6_PKTINFO: replies leave from the address the
    /// request came to), as UDP datagrams of `segmentSize` bytes when non-zero (UDP_SEGMENT, GSO; UDP
    /// sockets only). Traps when the batch is full or `source` is of another family than `peer` (caller
    /// bugs).
    public func append(_ piece: UnsafeRawBufferPointer, to peer: SocketAddress, from source: InetAddress? = nil,
                       segmentSize: Int = 0) {
        precondition(count < capacity && piecesUsed < pieceCapacity, "datagram batch full")
        precondition(source == nil || source?.family == peer.family, "source and peer of different families")
        precondition(segmentSize >= 0 && segmentSize <= Int(UInt16.max), "segment size out of range")
        let index = count
        let name = UnsafeMutableRawPointer(names + index)
        let nameLength = peer.write(sockaddr: name)
        iovecs[piecesUsed] = iovec(iov_base: UnsafeMutableRawPointer(mutating: piece.baseAddress), iov_len: piece.count)
        let controlArea = control + index * controlSize
        let controlLength = ControlMessages.writeSend(into: controlArea, capacity: controlSize,
                                                      source: source, segmentSize: UInt16(segmentSize))
        headers[index] = synaptic_mmsghdr(
            msg_hdr: msghdr(msg_name: name, msg_namelen: nameLength, msg_iov: iovecs + piecesUsed, msg_iovlen: 1,
                            msg_control: controlLength > 0 ? controlArea : nil, msg_controllen: controlLength,
                            msg_flags: 0),
            msg_len: 0)
        sendSegmentSizes[index] = segmentSize
        piecesUsed += 1
        count = index + 1
    }

    /// Adds `piece` to the end of the last appended datagram. Traps when there is none or no piece is left.
    public func appendPiece(_ piece: UnsafeRawBufferPointer) {
        precondition(count > 0 && piecesUsed < pieceCapacity, "no datagram to extend, or no piece left")
        iovecs[piecesUsed] = iovec(iov_base: UnsafeMutableRawPointer(mutating: piece.baseAddress), iov_len: piece.count)
        headers[count - 1].msg_hdr.msg_iovlen += 1
        piecesUsed += 1
    }

    /// How many pieces datagram `index` to send has.
    public func pieceCount(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return Int(headers[index].msg_hdr.msg_iovlen)
    }

    /// Piece `piece` of datagram `index` to send (for transports that stand in for a socket).
    public func piece(_ piece: Int, at index: Int) -> UnsafeRawBufferPointer {
        precondition(piece >= 0 && piece < pieceCount(at: index), "piece index out of range")
        let vector = headers[index].msg_hdr.msg_iov[piece]
        return UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
    }

    /// The UDP_SEGMENT size datagram `index` is sent with (0: none).
    public func sendSegmentSize(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "datagram index out of range")
        return sendSegmentSizes[index]
    }

    // MARK: - In-memory transports

    /// Fills datagram `index` as a receive of `bytes` from `peer` to the local address `destination` would:
    /// the bytes in its receive buffer (cut to the buffer and then flagged as MSG_TRUNC does), the peer's
    /// address and the packet info, so that `packet(at:)`, `peer(at:)`, `destination(at:)` and
    /// `isTruncated(at:)` answer as after recvmmsg. For transports that stand in for a socket (the node's
    /// in-memory test doubles); set `count` afterwards. Traps if `destination` is of another family than
    /// `peer` (a caller bug).
    public func setReceived(at index: Int, _ bytes: UnsafeRawBufferPointer, from peer: SocketAddress,
                            to destination: InetAddress) {
        precondition(index >= 0 && index < capacity, "datagram index out of range")
        precondition(destination.family == peer.family, "peer and destination of different families")
        let area = receiveBuffers[index]
        let length = min(bytes.count, area.count)
        if length > 0 { area.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<length])) }
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

    /// Resets every datagram for recvmmsg: the kernel overwrites these fields on each call.
    func prepareForReceive() {
        piecesUsed = 0
        for index in 0..<capacity {
            let area = receiveBuffers[index]
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
}

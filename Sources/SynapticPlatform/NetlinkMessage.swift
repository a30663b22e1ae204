// NetlinkMessage: the netlink message codec (RFC 3549 §2.3.2; Linux include/uapi/linux/netlink.h).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                      Length (incl. header)                    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |             Type              |             Flags             |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                        Sequence Number                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                 Process (port) ID, 0 = kernel                 |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  payload: family header (ifinfomsg, ifaddrmsg, rtmsg, nlmsgerr) then attributes (NetlinkAttribute)
// |  ... padded to a multiple of 4 bytes before the next message
//
// All integers are in host byte order (netlink never leaves the host); addresses inside attributes are in
// network order. A datagram from the kernel holds one or more messages back to back.

/// One netlink message: its header fields and its payload (family header and attributes, unpadded).
/// A value; building and parsing allocate (netlink is the control path: setup and queries only).
struct NetlinkMessage: Hashable, Sendable {
    static let headerLength = 16
    static let alignment = 4

    var type: UInt16
    var flags: UInt16
    var sequence: UInt32 = 0
    var portID: UInt32 = 0
    var payload: [UInt8] = []

    init(type: UInt16, flags: UInt16, sequence: UInt32 = 0, portID: UInt32 = 0, payload: [UInt8] = []) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
        self.payload = payload
    }

    /// Appends a fixed-size family header (ifinfomsg, ifaddrmsg, rtmsg) given as its bytes.
    mutating func appendFixed(_ bytes: [UInt8]) {
        payload += bytes
    }

    /// Appends one attribute, padding the previous content to 4 bytes first.
    mutating func append(_ attribute: NetlinkAttribute) {
        payload += [UInt8](repeating: 0, count: NetlinkMessage.padding(payload.count))
        attribute.encode(into: &payload)
    }

    /// The message on the wire: header with the length set, then the payload, padded to 4 bytes.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(NetlinkMessage.headerLength + payload.count + 3)
        NetlinkMessage.appendHost(UInt32(NetlinkMessage.headerLength + payload.count), to: &bytes)
        NetlinkMessage.appendHost(type, to: &bytes)
        NetlinkMessage.appendHost(flags, to: &bytes)
        NetlinkMessage.appendHost(sequence, to: &bytes)
        NetlinkMessage.appendHost(portID, to: &bytes)
        bytes += payload
        bytes += [UInt8](repeating: 0, count: NetlinkMessage.padding(bytes.count))
        return bytes
    }

    /// Splits a datagram into its messages. Throws `SystemError` (malformed) for a length field shorter
    /// than the header or longer than the bytes left; the padding after the last message may be absent.
    static func parseAll(_ bytes: UnsafeRawBufferPointer, call: String) throws(SystemError) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while bytes.count - offset >= headerLength {
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerLength, length <= bytes.count - offset else {
                throw SystemError.malformed(call, "netlink message length \(length) at offset \(offset) of \(bytes.count)")
            }
            messages.append(NetlinkMessage(
                type: bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                flags: bytes.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                sequence: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                portID: bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self),
                payload: Array(bytes[(offset + headerLength)..<(offset + length)])))
            offset += min(length + padding(length), bytes.count - offset)
        }
        guard offset == bytes.count else {
            throw SystemError.malformed(call, "\(bytes.count - offset) trailing bytes after netlink messages")
        }
        return messages
    }

    /// The attributes after a family header of `fixedLength` bytes (padded to 4).
    func attributes(after fixedLength: Int, call: String) throws(SystemError) -> [NetlinkAttribute] {
        let start = fixedLength + NetlinkMessage.padding(fixedLength)
        guard payload.count >= fixedLength else {
            throw SystemError.malformed(call, "payload of \(payload.count) bytes, family header needs \(fixedLength)")
        }
        return try NetlinkAttribute.parseAll(payload[min(start, payload.count)...], call: call)
    }

    /// Bytes needed to pad `length` to the netlink alignment (4).
    static func padding(_ length: Int) -> Int {
        (alignment - length % alignment) % alignment
    }

    /// Appends `value` in host byte order.
    static func appendHost<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    /// Reads a host-order integer at `offset` of `bytes`; nil when it does not fit.
    static func loadHost<Value: FixedWidthInteger>(_: Value.Type, from bytes: some Collection<UInt8>,
                                                   at offset: Int) -> Value? {
        let size = MemoryLayout<Value>.size
        guard offset >= 0, bytes.count >= offset + size else { return nil }
        var value = Value.zero
        withUnsafeMutableBytes(of: &value) { raw in
            for (index, byte) in bytes.dropFirst(offset).prefix(size).enumerated() { raw[index] = byte }
        }
        return value
    }
}

// NetlinkAttribute: one route attribute (struct rtattr / nlattr; RFC 3549 §2.3.2, Linux netlink.h).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     Length (incl. 4-byte header)   |N|B|         Type         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  value (Length - 4 bytes), then padding to a multiple of 4     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// N (0x8000, NLA_F_NESTED) and B (0x4000, NLA_F_NET_BYTEORDER) are flag bits of the type field; `type`
// here has them masked off. Lengths and integer values are in host byte order.

/// One attribute: its type (flag bits masked off) and its value bytes.
struct NetlinkAttribute: Hashable, Sendable {
    static let headerLength = 4
    static let typeMask: UInt16 = 0x3FFF

    var type: UInt16
    var value: [UInt8]

    init(type: UInt16, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    /// An attribute holding a host-order 32-bit integer (IFLA_MTU, RTA_OIF, IFA_FLAGS, RTA_TABLE).
    init(type: UInt16, uint32 number: UInt32) {
        var bytes: [UInt8] = []
        NetlinkMessage.appendHost(number, to: &bytes)
        self.init(type: type, value: bytes)
    }

    /// An attribute holding an address in network order (IFA_LOCAL, RTA_DST, RTA_PREFSRC).
    init(type: UInt16, address: InetAddress) {
        self.init(type: type, value: address.bytes)
    }

    /// An attribute holding a NUL-terminated string (IFLA_IFNAME).
    init(type: UInt16, string: String) {
        self.init(type: type, value: Array(string.utf8) + [0])
    }

    /// The value as a host-order 32-bit integer; nil unless it is exactly 4 bytes.
    var uint32: UInt32? {
        value.count == 4 ? NetlinkMessage.loadHost(UInt32.self, from: value, at: 0) : nil
    }

    /// The value as an address of `family`; nil unless it has exactly that family's length.
    func address(_ family: AddressFamily) -> InetAddress? {
        switch family {
        case .v4:
            guard value.count == 4 else { return nil }
            return .v4(IPv4Address(value.reduce(0) { $0 << 8 | UInt32($1) }))
        case .v6:
            return IPv6Address(bytes: value).map(InetAddress.v6)
        }
    }

    /// The value as a string, up to the first NUL; nil if it is not UTF-8.
    var string: String? {
        String(validating: value.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Appends header and value (unpadded: the next append pads).
    func encode(into bytes: inout [UInt8]) {
        NetlinkMessage.appendHost(UInt16(NetlinkAttribute.headerLength + value.count), to: &bytes)
        NetlinkMessage.appendHost(type, to: &bytes)
        bytes += value
    }

    /// Parses attributes back to back. Throws `SystemError` (malformed) for a length shorter than the
    /// header or longer than what is left.
    static func parseAll(_ bytes: ArraySlice<UInt8>, call: String) throws(SystemError) -> [NetlinkAttribute] {
        var attributes: [NetlinkAttribute] = []
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= headerLength {
            guard let length = NetlinkMessage.loadHost(UInt16.self, from: bytes, at: offset - bytes.startIndex),
                  let rawType = NetlinkMessage.loadHost(UInt16.self, from: bytes, at: offset - bytes.startIndex + 2)
            else { break }
            let size = Int(length)
            guard size >= headerLength, size <= bytes.endIndex - offset else {
                throw SystemError.malformed(call, "attribute length \(size) with \(bytes.endIndex - offset) bytes left")
            }
            attributes.append(NetlinkAttribute(type: rawType & typeMask,
                                               value: Array(bytes[(offset + headerLength)..<(offset + size)])))
            offset += min(size + NetlinkMessage.padding(size), bytes.endIndex - offset)
        }
        guard offset == bytes.endIndex else {
            throw SystemError.malformed(call, "\(bytes.endIndex - offset) trailing bytes after attributes")
        }
        return attributes
    }
}

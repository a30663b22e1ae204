// IPv4Header: the fields of an IPv4 header that a raw-socket reader needs (RFC 791 §3.1).
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |Version|  IHL  |Type of Service|          Total Length         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |         Identification        |Flags|      Fragment Offset    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Time to Live |    Protocol   |         Header Checksum       |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Source Address                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Destination Address                        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Options (IHL > 5)                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A Linux raw IPv4 socket delivers the header as received (Total Length in network order, counting the
// header), for reassembled datagrams the header of the whole datagram.

/// The header of an IPv4 datagram read from a raw socket: what the HIP packet after it is, where it came
/// from and went to. Parsing is bounds-checked and never traps. Sendable value.
public struct IPv4Header: Hashable, Sendable {
    static let minimumLength = 20

    /// IHL × 4: where the payload (the HIP packet) starts.
    public let headerLength: Int
    /// Total Length: header and payload.
    public let totalLength: Int
    public let `protocol`: UInt8
    public let source: IPv4Address
    public let destination: IPv4Address

    /// Nil unless `datagram` starts with a version-4 header whose IHL is at least 5 and fits the buffer,
    /// with a total length no shorter than the header.
    public init?(parsing datagram: UnsafeRawBufferPointer) {
        guard datagram.count >= IPv4Header.minimumLength, datagram[0] >> 4 == 4 else { return nil }
        let headerLength = Int(datagram[0] & 0x0F) * 4
        let totalLength = Int(datagram[2]) << 8 | Int(datagram[3])
        guard headerLength >= IPv4Header.minimumLength, headerLength <= datagram.count,
              totalLength >= headerLength else { return nil }
        self.headerLength = headerLength
        self.totalLength = totalLength
        self.protocol = datagram[9]
        self.source = IPv4Address(UInt32(bigEndian: datagram.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        self.destination = IPv4Address(UInt32(bigEndian: datagram.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
    }
}

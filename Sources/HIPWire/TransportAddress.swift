// REG_FROM (950), RELAYED_ADDRESS (4650), MAPPED_ADDRESS (4660), RELAY_FROM (63998), RELAY_TO (64002):
// one 20-byte layout, RFC 9028 §5.8/§5.12 (RFC 5770 §5.7 for REG_FROM/RELAY_*).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |          Length (20)          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Port              |    Protocol   |   Reserved    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                                                               |
//  |            Address (128 bits, IPv6 or IPv4-mapped)            |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// A transport address: port, IP protocol (17 = UDP) and a 16-byte address (IPv6 or IPv4-mapped;
/// see `IPAddress(mappedBytes:)` and `IPAddress.v4Mapped`). The serializer rejects other address lengths.
public struct TransportAddress: Hashable, Sendable {
    public var port: UInt16
    public var proto: UInt8
    public var address: [UInt8]

    public init(port: UInt16, proto: UInt8 = HIPProtocol.udpProtocol, address: [UInt8]) {
        self.port = port
        self.proto = proto
        self.address = address
    }

    static let contentsLength = 20
    var isEncodable: Bool { address.count == 16 }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        port = try reader.readUInt16()
        proto = try reader.readUInt8()
        try reader.skip(1)
        address = try reader.readBytes(16)
    }

    func write(to writer: inout ByteWriter) {
        writer.write(port)
        writer.write(proto)
        writer.write(UInt8(0))
        writer.write(address)
    }
}

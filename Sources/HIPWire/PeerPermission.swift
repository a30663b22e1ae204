// PEER_PERMISSION (type 4680, Length 48), RFC 9028 §5.13.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |          Length (48)          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |            RPort              |             PPort             |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Protocol    |                 Reserved                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 RAddress (128 bits)                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                 PAddress (128 bits)                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                             OSPI                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                             ISPI                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// PEER_PERMISSION contents: the relayed (R) and peer (P) transport addresses and the SPIs the Data
/// Relay forwards. Addresses are 16 bytes (IPv6 or IPv4-mapped); the serializer rejects other lengths.
public struct PeerPermission: Hashable, Sendable {
    public var relayPort: UInt16
    public var peerPort: UInt16
    public var proto: UInt8
    public var relayAddress: [UInt8]
    public var peerAddress: [UInt8]
    public var outboundSPI: UInt32
    public var inboundSPI: UInt32

    public init(relayPort: UInt16, peerPort: UInt16, proto: UInt8 = HIPProtocol.udpProtocol,
                relayAddress: [UInt8], peerAddress: [UInt8], outboundSPI: UInt32, inboundSPI: UInt32) {
        self.relayPort = relayPort
        self.peerPort = peerPort
        self.proto = proto
        self.relayAddress = relayAddress
        self.peerAddress = peerAddress
        self.outboundSPI = outboundSPI
        self.inboundSPI = inboundSPI
    }

    static let contentsLength = 48
    var isEncodable: Bool { relayAddress.count == 16 && peerAddress.count == 16 }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        relayPort = try reader.readUInt16()
        peerPort = try reader.readUInt16()
        proto = try reader.readUInt8()
        try reader.skip(3)
        relayAddress = try reader.readBytes(16)
        peerAddress = try reader.readBytes(16)
        outboundSPI = try reader.readUInt32()
        inboundSPI = try reader.readUInt32()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(relayPort)
        writer.write(peerPort)
        writer.write(proto)
        writer.writeZeros(3)
        writer.write(relayAddress)
        writer.write(peerAddress)
        writer.write(outboundSPI)
        writer.write(inboundSPI)
    }
}

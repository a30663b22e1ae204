// HOST_ID (type 705), RFC 7401 §5.2.9.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          HI Length            |DI-Type|      DI Length        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Algorithm            |         Host Identity         /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                               |       Domain Identifier       /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length = 6 + HI Length + DI Length exactly. DI-Type: 0 none, 1 FQDN, 2 NAI.

/// HOST_ID contents. `hostIdentity` is the algorithm-specific Host Identity field (the HIT hash input).
public struct HostID: Hashable, Sendable {
    public var algorithm: UInt16
    public var hostIdentity: [UInt8]
    /// 4 bits (0 none, 1 FQDN, 2 NAI); the serializer rejects larger values.
    public var diType: UInt8
    public var domainIdentifier: [UInt8]

    public init(algorithm: UInt16, hostIdentity: [UInt8], diType: UInt8 = 0, domainIdentifier: [UInt8] = []) {
        self.algorithm = algorithm
        self.hostIdentity = hostIdentity
        self.diType = diType
        self.domainIdentifier = domainIdentifier
    }

    var contentsLength: Int { 6 + hostIdentity.count + domainIdentifier.count }
    var isEncodable: Bool { diType <= 0x0F && domainIdentifier.count <= 0x0FFF }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        let hiLength = Int(try reader.readUInt16())
        let di = try reader.readUInt16()
        algorithm = try reader.readUInt16()
        diType = UInt8(di >> 12)
        let diLength = Int(di & 0x0FFF)
        guard reader.remaining == hiLength + diLength else {
            throw .malformedParameter(type: ParameterType.hostID)
        }
        hostIdentity = try reader.readBytes(hiLength)
        domainIdentifier = try reader.readBytes(diLength)
    }

    func write(to writer: inout ByteWriter) {
        writer.write(UInt16(truncatingIfNeeded: hostIdentity.count))
        writer.write(UInt16(diType & 0x0F) << 12 | UInt16(truncatingIfNeeded: domainIdentifier.count & 0x0FFF))
        writer.write(algorithm)
        writer.write(hostIdentity)
        writer.write(domainIdentifier)
    }
}

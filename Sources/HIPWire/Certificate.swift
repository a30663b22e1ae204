// CERT (type 768), RFC 7401 §5.2.10 / RFC 8002 §2.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  CERT group   |  CERT count   |    CERT ID    |   CERT type   |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                          Certificate                          /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// CERT contents: group, count, ID, type, and the certificate bytes (may be empty on the wire).
public struct Certificate: Hashable, Sendable {
    public var group: UInt8
    public var count: UInt8
    public var id: UInt8
    public var type: UInt8
    public var certificate: [UInt8]

    public init(group: UInt8, count: UInt8, id: UInt8, type: UInt8, certificate: [UInt8]) {
        self.group = group
        self.count = count
        self.id = id
        self.type = type
        self.certificate = certificate
    }

    var contentsLength: Int { 4 + certificate.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        group = try reader.readUInt8()
        count = try reader.readUInt8()
        id = try reader.readUInt8()
        type = try reader.readUInt8()
        certificate = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(group)
        writer.write(count)
        writer.write(id)
        writer.write(type)
        writer.write(certificate)
    }
}

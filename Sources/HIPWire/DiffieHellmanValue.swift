// DIFFIE_HELLMAN (type 513), RFC 7401 §5.2.7. HIPv2 carries exactly one public value.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Group ID    |      Public Value Length      |  Public Value /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                                                               /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Strict: Length = 3 + Public Value Length, Public Value Length ≥ 1. Lenient parsing also accepts the
// old cutehip encoding whose Public Value Length field is wrong (it wrote 8 for a 64-byte P-256 value):
// the value is then the rest of the contents, and serializing writes the correct length.

/// DIFFIE_HELLMAN contents: the group ID and the public value (MODP big-endian; ECDH x‖y, no 0x04).
public struct DiffieHellmanValue: Hashable, Sendable {
    public var group: UInt8
    public var publicValue: [UInt8]

    public init(group: UInt8, publicValue: [UInt8]) {
        self.group = group
        self.publicValue = publicValue
    }

    var contentsLength: Int { 3 + publicValue.count }

    init(reading reader: inout ByteReader, lenient: Bool) throws(HIPWireError) {
        group = try reader.readUInt8()
        let declared = Int(try reader.readUInt16())
        guard reader.remaining > 0 else { throw reader.shortError }
        guard declared == reader.remaining || lenient else {
            throw .malformedParameter(type: ParameterType.diffieHellman)
        }
        publicValue = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(group)
        writer.write(UInt16(truncatingIfNeeded: publicValue.count))
        writer.write(publicValue)
    }
}

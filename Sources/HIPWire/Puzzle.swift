// PUZZLE (type 257, Length 4 + RHASH_len/8), RFC 7401 §5.2.4.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  #K, 1 byte   |    Lifetime   |        Opaque, 2 bytes        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Random #I, RHASH_len / 8 bytes           |
//  /                                                               /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The parser requires a non-empty #I; whether its length matches RHASH is the core's check.

/// PUZZLE contents: difficulty #K (bits), lifetime exponent (2^(lifetime−32) s), opaque, random #I.
public struct Puzzle: Hashable, Sendable {
    public var k: UInt8
    public var lifetime: UInt8
    public var opaque: UInt16
    public var random: [UInt8]

    public init(k: UInt8, lifetime: UInt8, opaque: UInt16, random: [UInt8]) {
        self.k = k
        self.lifetime = lifetime
        self.opaque = opaque
        self.random = random
    }

    /// Offset of Opaque and of #I inside the contents (used to zero them for HIP_SIGNATURE_2).
    static let opaqueOffset = 2
    static let randomOffset = 4

    var contentsLength: Int { 4 + random.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        k = try reader.readUInt8()
        lifetime = try reader.readUInt8()
        opaque = try reader.readUInt16()
        guard reader.remaining > 0 else { throw reader.shortError }
        random = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(k)
        writer.write(lifetime)
        writer.write(opaque)
        writer.write(random)
    }
}

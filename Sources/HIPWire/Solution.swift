// SOLUTION (type 321, Length 4 + 2 × RHASH_len/8), RFC 7401 §5.2.5.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |  #K, 1 byte   |   Reserved    |        Opaque, 2 bytes        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Random #I, RHASH_len / 8 bytes           |
//  /                                                               /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      Puzzle solution #J, RHASH_len / 8 bytes  |
//  /                                                               /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// #I and #J have the same length, so Length − 4 must be even and non-zero.

/// SOLUTION contents: #K, opaque and #I echoed from the PUZZLE, and the solution #J.
/// `random` and `solution` must have the same length (the serializer checks).
public struct Solution: Hashable, Sendable {
    public var k: UInt8
    public var opaque: UInt16
    public var random: [UInt8]
    public var solution: [UInt8]

    public init(k: UInt8, opaque: UInt16, random: [UInt8], solution: [UInt8]) {
        self.k = k
        self.opaque = opaque
        self.random = random
        self.solution = solution
    }

    var contentsLength: Int { 4 + random.count + solution.count }
    var isEncodable: Bool { random.count == solution.count && !random.isEmpty }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        k = try reader.readUInt8()
        try reader.skip(1)
        opaque = try reader.readUInt16()
        let half = reader.remaining / 2
        guard half > 0, reader.remaining % 2 == 0 else { throw reader.shortError }
        random = try reader.readBytes(half)
        solution = try reader.readBytes(half)
    }

    func write(to writer: inout ByteWriter) {
        writer.write(k)
        writer.write(UInt8(0))
        writer.write(opaque)
        writer.write(random)
        writer.write(solution)
    }
}

// HIP_SIGNATURE (61697) and HIP_SIGNATURE_2 (61633), RFC 7401 §5.2.14–15.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    SIG algorithm              |            Signature          /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               /
//  /                               |             Padding           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// SIG algorithm is 16 bits and equals the HI algorithm (RFC 7401; RFC 5201 had 8 bits).
// The signature must be non-empty.

/// A signature parameter's contents: the algorithm (HI algorithm ID) and the signature bytes.
public struct Signature: Hashable, Sendable {
    public var algorithm: UInt16
    public var signature: [UInt8]

    public init(algorithm: UInt16, signature: [UInt8]) {
        self.algorithm = algorithm
        self.signature = signature
    }

    var contentsLength: Int { 2 + signature.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        algorithm = try reader.readUInt16()
        guard reader.remaining > 0 else { throw reader.shortError }
        signature = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(algorithm)
        writer.write(signature)
    }
}

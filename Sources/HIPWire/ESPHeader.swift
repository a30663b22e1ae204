// ESPHeader: the ESP header (RFC 4303 §2; HIP use: RFC 7402 §3).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               Security Parameters Index (SPI)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |      Sequence Number (low 32 bits of the 64-bit ESN)          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// The 8-byte ESP header. A value type; parse and write from any thread, without allocating.
public struct ESPHeader: Hashable, Sendable {
    public var spi: UInt32
    /// The low 32 bits of the sequence number as sent.
    public var sequence: UInt32

    /// Bytes on the wire.
    public static let length = 8

    public init(spi: UInt32, sequence: UInt32) {
        self.spi = spi
        self.sequence = sequence
    }

    /// Reads the header at the start of `bytes`. Errors: `truncated` for fewer than 8 bytes.
    public init(_ bytes: UnsafeRawBufferPointer) throws(HIPWireError) {
        var reader = ByteReader(bytes, error: .truncated)
        spi = try reader.readUInt32()
        sequence = try reader.readUInt32()
    }

    /// Writes the header at the start of `buffer`. Errors: `bufferTooSmall(needed: 8)`.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(HIPWireError) {
        guard buffer.count >= Self.length else { throw .bufferTooSmall(needed: Self.length) }
        var writer = ByteWriter(buffer)
        writer.write(spi)
        writer.write(sequence)
    }
}

// FieldReader: reads a record body's fields front to back; a read past the end gives zeros, so every
// body decodes into fields.

/// A cursor over a record body.
public struct FieldReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next `count` bytes (zeros past the end).
    public mutating func bytes(_ count: Int) -> [UInt8] {
        let available = bytes[min(offset, bytes.count)..<min(offset + count, bytes.count)]
        offset += count
        return Array(available) + [UInt8](repeating: 0, count: count - available.count)
    }

    /// The next byte (0 past the end).
    public mutating func byte() -> UInt8 { bytes(1)[0] }

    /// The next `T.bitWidth / 8` bytes as a big-endian integer (zeros past the end).
    public mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_: T.Type = T.self) -> T {
        bytes(T.bitWidth / 8).reduce(0) { $0 << 8 | T($1) }
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] {
        defer { offset = max(offset, bytes.count) }
        return Array(bytes[min(offset, bytes.count)...])
    }
}

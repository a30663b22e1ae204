// ByteReader: bounds-checked big-endian reads over borrowed bytes (internal).
// Every read checks the remaining length first and throws the error the caller chose; nothing traps.

struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset: Int
    /// The error thrown when a read runs past the end (the parser names the parameter it is reading).
    let shortError: HIPWireError

    init(_ bytes: UnsafeRawBufferPointer, error: HIPWireError) {
        self.bytes = bytes
        self.offset = 0
        self.shortError = error
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    mutating func readUInt8() throws(HIPWireError) -> UInt8 {
        guard remaining >= 1 else { throw shortError }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16() throws(HIPWireError) -> UInt16 {
        guard remaining >= 2 else { throw shortError }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32() throws(HIPWireError) -> UInt32 {
        guard remaining >= 4 else { throw shortError }
        var value: UInt32 = 0
        for i in 0..<4 { value = value << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return value
    }

    mutating func readUInt64() throws(HIPWireError) -> UInt64 {
        let high = try readUInt32()
        let low = try readUInt32()
        return UInt64(high) << 32 | UInt64(low)
    }

    /// Copies `count` bytes (bounded by the input, so never more than the input size).
    mutating func readBytes(_ count: Int) throws(HIPWireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw shortError }
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count]))
    }

    mutating func readRest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }

    mutating func skip(_ count: Int) throws(HIPWireError) {
        guard count >= 0, remaining >= count else { throw shortError }
        offset += count
    }
}

/// Runs `body` over the bytes of any collection: in place when contiguous, else over a copy
/// (bounded by the input). Keeps the typed error.
func withContiguousBytes<T>(_ bytes: some Collection<UInt8>,
                            _ body: (UnsafeRawBufferPointer) throws(HIPWireError) -> T) throws(HIPWireError) -> T {
    let inPlace: Result<T, HIPWireError>? = bytes.withContiguousStorageIfAvailable { buffer in
        Result { () throws(HIPWireError) in try body(UnsafeRawBufferPointer(buffer)) }
    }
    let result = inPlace ?? Array(bytes).withUnsafeBytes { buffer in
        Result { () throws(HIPWireError) in try body(buffer) }
    }
    return try result.get()
}

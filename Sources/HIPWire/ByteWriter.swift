// ByteWriter: big-endian writes into a caller-owned buffer whose size was checked beforehand (internal).
// The serializer computes the exact length first and checks the buffer once; the writes below then
// stay in bounds by construction (each also checks, so a length bug is caught in debug builds).

struct ByteWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset: Int

    init(_ buffer: UnsafeMutableRawBufferPointer, offset: Int = 0) {
        self.buffer = buffer
        self.offset = offset
    }

    mutating func write(_ value: UInt8) {
        assert(offset < buffer.count)
        buffer[offset] = value
        offset += 1
    }

    mutating func write(_ value: UInt16) {
        write(UInt8(truncatingIfNeeded: value >> 8))
        write(UInt8(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt32) {
        write(UInt16(truncatingIfNeeded: value >> 16))
        write(UInt16(truncatingIfNeeded: value))
    }

    mutating func write(_ value: UInt64) {
        write(UInt32(truncatingIfNeeded: value >> 32))
        write(UInt32(truncatingIfNeeded: value))
    }

    mutating func write(_ bytes: [UInt8]) {
        assert(offset + bytes.count <= buffer.count)
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + source.count]).copyMemory(from: source)
        }
        offset += bytes.count
    }

    mutating func writeZeros(_ count: Int) {
        assert(offset + count <= buffer.count)
        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + count]).initializeMemory(as: UInt8.self, repeating: 0)
        offset += count
    }
}

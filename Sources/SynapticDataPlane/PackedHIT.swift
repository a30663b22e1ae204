import HIPWire

/// A HIT as two big-endian 64-bit halves, for reading and writing packet headers without allocating.
/// Made once from a `HIT` when an SA is installed. A value type: use it anywhere.
struct PackedHIT: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ hit: HIT) {
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in hit.bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// Reads 16 bytes at `offset` (caller checked the bounds).
    @inline(__always)
    init(loadingFrom bytes: UnsafeRawBufferPointer, at offset: Int) {
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
    }

    /// Writes the 16 bytes at `offset` (caller checked the bounds).
    @inline(__always)
    func store(to bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeBytes(of: high.bigEndian, toByteOffset: offset, as: UInt64.self)
        bytes.storeBytes(of: low.bigEndian, toByteOffset: offset + 8, as: UInt64.self)
    }

    /// Adds the 16 bytes to a running checksum.
    @inline(__always)
    func add(to sum: inout InternetChecksum) {
        withUnsafeBytes(of: high.bigEndian) { sum.add($0) }
        withUnsafeBytes(of: low.bigEndian) { sum.add($0) }
    }
}

// InternetChecksum: the RFC 1071 one's-complement sum of 16-bit big-endian words, for HIP (RFC 7401
// §5.1.1), and for TCP/UDP/ICMPv6 checksums in the data plane (RFC 7401 §4.5.1 pseudo-headers with HITs).
// Data may be added in pieces of any length: an odd piece shifts the next one by a byte, as if the
// pieces were one concatenated buffer.

/// An accumulating one's-complement sum. A value type: one per computation, on any thread; adding
/// `UnsafeRawBufferPointer`s does not allocate.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0
    /// True when an odd number of bytes has been added (the next byte is a low byte).
    private var odd = false

    public init() {}

    /// Adds bytes as if appended to everything added so far. Eight bytes at a time: the words are summed in
    /// the machine's byte order and the folded sum is put back in network order once (a one's-complement sum
    /// commutes with swapping the bytes of every word, RFC 1071 §2(B)).
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        let count = bytes.count
        guard count > 0, let base = bytes.baseAddress else { return }
        if odd {
            sum &+= UInt64(bytes[0])
            index = 1
            odd = false
        }
        // Two independent sums over 32 bytes per round keep the adds in parallel; each adds below 2^35 per
        // round, so neither can overflow for any buffer shorter than 2^31 bytes.
        var wide: UInt64 = 0
        var other: UInt64 = 0
        while index + 32 <= count {
            let first = (base + index).loadUnaligned(as: UInt64.self)
            let second = (base + index + 8).loadUnaligned(as: UInt64.self)
            let third = (base + index + 16).loadUnaligned(as: UInt64.self)
            let fourth = (base + index + 24).loadUnaligned(as: UInt64.self)
            wide &+= (first & 0xFFFF_FFFF) &+ (first >> 32) &+ (second & 0xFFFF_FFFF) &+ (second >> 32)
            other &+= (third & 0xFFFF_FFFF) &+ (third >> 32) &+ (fourth & 0xFFFF_FFFF) &+ (fourth >> 32)
            index += 32
        }
        while index + 8 <= count {
            let word = (base + index).loadUnaligned(as: UInt64.self)
            wide &+= (word & 0xFFFF_FFFF) &+ (word >> 32)
            index += 8
        }
        sum &+= UInt64(UInt16(bigEndian: UInt16(Self.fold(Self.fold(wide) &+ Self.fold(other)))))
        while index + 1 < count {
            sum &+= UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < count {
            sum &+= UInt64(bytes[index]) << 8
            odd = true
        }
        if sum >= 1 << 48 { sum = Self.fold(sum) }
    }

    /// Adds bytes from any collection.
    public mutating func add(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ add(UnsafeRawBufferPointer($0)) }) != nil { return }
        Array(bytes).withUnsafeBytes { add($0) }
    }

    /// Adds a 16-bit word in network order (pseudo-header fields).
    public mutating func add(word: UInt16) {
        withUnsafeBytes(of: word.bigEndian) { add($0) }
    }

    /// The folded 16-bit one's-complement sum (not complemented).
    public var foldedSum: UInt16 { UInt16(Self.fold(sum)) }

    /// The checksum to put in a header: the complement of the folded sum.
    public var checksum: UInt16 { ~foldedSum }

    /// One call: the checksum of the given pieces concatenated.
    public static func checksum(_ pieces: [UInt8]...) -> UInt16 {
        var sum = InternetChecksum()
        for piece in pieces { sum.add(piece) }
        return sum.checksum
    }

    private static func fold(_ value: UInt64) -> UInt64 {
        var value = value
        while value > 0xFFFF { value = (value & 0xFFFF) + (value >> 16) }
        return value
    }
}

// HIT: a 128-bit Host Identity Tag (RFC 7401 §3, ORCHIDv2 RFC 7343), as carried in the HIP header.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Prefix 2001:20::/28 (28 bits)                       |OGA ID |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |   Encode_96(Hash(Context ID | Host Identity))  (96 bits)      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// HIPWire only carries HITs; HIPCrypto derives them from host identities.

/// A Host Identity Tag: 16 bytes, ordered as an unsigned 128-bit big-endian number (the order RFC 7401
/// uses for KEYMAT's sorted HITs and for simultaneous-open tie breaks). A value type; use it anywhere.
public struct HIT: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The high and low 64 bits, big-endian order.
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A HIT from exactly 16 bytes; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// A HIT from IPv6 text (any RFC 4291 form); nil if the text is not an IPv6 address.
    public init?(_ text: String) {
        guard let bytes = AddressText.parseIPv6(text[...]) else { return nil }
        self.init(bytes: bytes)
    }

    /// The 16 bytes in network order.
    public var bytes: [UInt8] {
        (0..<16).map { index in
            index < 8 ? UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
                : UInt8(truncatingIfNeeded: low >> (56 - 8 * (index - 8)))
        }
    }

    /// The NULL HIT `::` (Receiver's HIT of an opportunistic I1, RFC 7401 §4.1.8).
    public static let null = HIT(high: 0, low: 0)

    /// The canonical IPv6 text (RFC 5952).
    public var description: String { AddressText.formatIPv6(bytes) }

    public static func < (lhs: HIT, rhs: HIT) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Writes the 16 bytes (internal, no allocation).
    func write(to writer: inout ByteWriter) {
        writer.write(high)
        writer.write(low)
    }

    /// Reads 16 bytes (internal).
    static func read(from reader: inout ByteReader) throws(HIPWireError) -> HIT {
        let high = try reader.readUInt64()
        let low = try reader.readUInt64()
        return HIT(high: high, low: low)
    }
}

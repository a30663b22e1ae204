// HIPChecksum: the HIP header checksum (RFC 7401 §5.1.1, test vectors in Appendix C).
//
//  IPv6 pseudo-header (RFC 8200 §8.1):            IPv4 pseudo-header (RFC 768 style):
//  +--------------------------------+             +-------------------------------+
//  |  Source Address (128)          |             |  Source Address (32)          |
//  |  Destination Address (128)     |             |  Destination Address (32)     |
//  |  Upper-Layer Packet Length (32)|             |  zero (8) | 139 (8) | Length16|
//  |  zero (24)   | Next Header 139 |             +-------------------------------+
//  +--------------------------------+
//
// The sum covers pseudo-header ‖ HIP packet with the Checksum field counted as 0.
// Over UDP the HIP checksum MUST be 0 (RFC 5770/9028): the caller then leaves the field as serialized.

/// HIP checksum over an IPv4 or IPv6 pseudo-header. Pure functions; call from anywhere.
/// Both addresses `.v4` → IPv4 pseudo-header; otherwise IPv6 with IPv4 addresses IPv4-mapped
/// (a mixed pair cannot occur on a real packet).
public enum HIPChecksum {
    /// The checksum of `message` (a whole HIP packet; its bytes 4–5 are treated as 0).
    public static func compute(_ message: some Collection<UInt8>, source: IPAddress, destination: IPAddress) -> UInt16 {
        if let value: UInt16 = message.withContiguousStorageIfAvailable({
            compute(UnsafeRawBufferPointer($0), source: source, destination: destination)
        }) {
            return value
        }
        return Array(message).withUnsafeBytes { compute($0, source: source, destination: destination) }
    }

    /// The checksum of a HIP packet in borrowed memory (bytes 4–5 treated as 0).
    public static func compute(_ message: UnsafeRawBufferPointer, source: IPAddress, destination: IPAddress) -> UInt16 {
        var sum = pseudoHeaderSum(source: source, destination: destination, length: message.count,
                                  protocol: HIPProtocol.ipProtocol)
        let field = HeaderLayout.checksum
        if message.count <= field {
            sum.add(message)
        } else {
            sum.add(UnsafeRawBufferPointer(rebasing: message[0..<field]))
            sum.add(word: 0)
            if message.count > field + 2 { sum.add(UnsafeRawBufferPointer(rebasing: message[(field + 2)...])) }
        }
        return sum.checksum
    }

    /// True when the Checksum field of `message` equals the computed checksum (false if too short).
    public static func verify(_ message: some Collection<UInt8>, source: IPAddress, destination: IPAddress) -> Bool {
        let bytes = Array(message.prefix(HeaderLayout.checksum + 2))
        guard bytes.count == HeaderLayout.checksum + 2 else { return false }
        let field = UInt16(bytes[HeaderLayout.checksum]) << 8 | UInt16(bytes[HeaderLayout.checksum + 1])
        return compute(message, source: source, destination: destination) == field
    }

    /// Writes the checksum into the Checksum field of a serialized packet (for sending over raw IP);
    /// does nothing to a message shorter than the field.
    public static func fill(_ message: inout [UInt8], source: IPAddress, destination: IPAddress) {
        guard message.count >= HeaderLayout.checksum + 2 else { return }
        let value = compute(message, source: source, destination: destination)
        message[HeaderLayout.checksum] = UInt8(value >> 8)
        message[HeaderLayout.checksum + 1] = UInt8(value & 0xFF)
    }

    /// The sum of a pseudo-header for an upper-layer packet of `length` bytes (also used for TCP/UDP/ICMPv6
    /// checksums: pass their protocol number).
    public static func pseudoHeaderSum(source: IPAddress, destination: IPAddress, length: Int,
                                       protocol number: UInt8) -> InternetChecksum {
        var sum = InternetChecksum()
        if case .v4 = source, case .v4 = destination {
            sum.add(source.bytes)
            sum.add(destination.bytes)
            sum.add(word: UInt16(number))
            sum.add(word: UInt16(truncatingIfNeeded: length))
        } else {
            sum.add(source.v4Mapped)
            sum.add(destination.v4Mapped)
            sum.add(word: UInt16(truncatingIfNeeded: length >> 16))
            sum.add(word: UInt16(truncatingIfNeeded: length))
            sum.add(word: 0)
            sum.add(word: UInt16(number))
        }
        return sum
    }
}

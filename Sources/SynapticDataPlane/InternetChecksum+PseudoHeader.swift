// InternetChecksum+PseudoHeader: the sums TCP, UDP and ICMPv6 checksums start from.
//
//   IPv6 (RFC 8200 §8.1):   source (16) | destination (16) | upper-layer length (32) | 0 (24) | next header (8)
//   IPv4 (RFC 768/9293):    source (4) | destination (4) | 0 (8) | protocol (8) | length (16)

import HIPWire

extension InternetChecksum {
    /// The IPv6 pseudo-header sum.
    static func ipv6PseudoHeader(source: PackedHIT, destination: PackedHIT, length: Int,
                                 nextHeader: UInt8) -> InternetChecksum {
        var sum = InternetChecksum()
        source.add(to: &sum)
        destination.add(to: &sum)
        sum.add(word: UInt16(truncatingIfNeeded: length >> 16))
        sum.add(word: UInt16(truncatingIfNeeded: length))
        sum.add(word: UInt16(nextHeader))
        return sum
    }

    /// The IPv4 pseudo-header sum.
    static func ipv4PseudoHeader(source: UInt32, destination: UInt32, length: Int,
                                 protocol number: UInt8) -> InternetChecksum {
        var sum = InternetChecksum()
        sum.add(word: UInt16(truncatingIfNeeded: source >> 16))
        sum.add(word: UInt16(truncatingIfNeeded: source))
        sum.add(word: UInt16(truncatingIfNeeded: destination >> 16))
        sum.add(word: UInt16(truncatingIfNeeded: destination))
        sum.add(word: UInt16(number))
        sum.add(word: UInt16(truncatingIfNeeded: length))
        return sum
    }

    /// The pseudo-header sum of the IP packet at the start of `packet` (IPv4 when `isIPv4`, else IPv6; the
    /// caller checked the header is there) for an upper-layer segment of `length` bytes of `protocol`.
    static func pseudoHeader(of packet: UnsafeRawBufferPointer, isIPv4: Bool, length: Int,
                             protocol number: UInt8) -> InternetChecksum {
        if isIPv4 {
            return ipv4PseudoHeader(source: UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
                                    destination: UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
                                    length: length, protocol: number)
        }
        return ipv6PseudoHeader(source: PackedHIT(loadingFrom: packet, at: 8),
                                destination: PackedHIT(loadingFrom: packet, at: 24), length: length, nextHeader: number)
    }

    /// The IPv4 header checksum of the `length`-byte header at the start of `header`, with its checksum field
    /// (bytes 10–11) counted as zero.
    static func ipv4HeaderChecksum(_ header: UnsafeRawBufferPointer, length: Int) -> UInt16 {
        var sum = InternetChecksum()
        sum.add(UnsafeRawBufferPointer(rebasing: header[..<10]))
        sum.add(UnsafeRawBufferPointer(rebasing: header[12..<length]))
        return sum.checksum
    }
}

// TestPackets: packet builders and an independent checksum (a plain 16-bit word loop, written separately
// from the data plane's code paths) to verify translated and rebuilt packets (data plane and node tests).
import HIPWire

public enum TestPackets {
    /// RFC 1071 checksum over the concatenation of `parts`, as the naive textbook loop.
    public static func checksum(_ parts: [UInt8]...) -> UInt16 {
        var data = parts.flatMap { $0 }
        if data.count % 2 == 1 { data.append(0) }
        var sum: UInt32 = 0
        for index in stride(from: 0, to: data.count, by: 2) {
            sum += UInt32(data[index]) << 8 | UInt32(data[index + 1])
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    public static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    public static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    public static func ipv6PseudoHeader(_ source: HIT, _ destination: HIT, length: Int, nextHeader: UInt8) -> [UInt8] {
        source.bytes + destination.bytes + be32(UInt32(length)) + [0, 0, 0, nextHeader]
    }

    public static func ipv4PseudoHeader(_ source: UInt32, _ destination: UInt32, length: Int, protocol number: UInt8) -> [UInt8] {
        be32(source) + be32(destination) + [0, number] + be16(length)
    }

    /// An IPv6 packet with `segment` whose transport checksum (at `checksumOffset`, if any) is filled in.
    public static func ipv6(_ source: HIT, _ destination: HIT, nextHeader: UInt8, segment: [UInt8], hopLimit: UInt8 = 64,
                     checksumOffset: Int?) -> [UInt8] {
        var segment = segment
        if let checksumOffset {
            segment[checksumOffset] = 0
            segment[checksumOffset + 1] = 0
            let sum = checksum(ipv6PseudoHeader(source, destination, length: segment.count, nextHeader: nextHeader), segment)
            segment.replaceSubrange(checksumOffset..<checksumOffset + 2, with: be16(Int(sum)))
        }
        return [0x60, 0, 0, 0] + be16(segment.count) + [nextHeader, hopLimit] + source.bytes + destination.bytes + segment
    }

    /// An IPv4 packet (header checksum filled) with `segment`; the transport checksum at `checksumOffset`
    /// is computed over the IPv4 pseudo-header (ICMP: over the message only).
    public static func ipv4(_ source: UInt32, _ destination: UInt32, protocol number: UInt8, segment: [UInt8], ttl: UInt8 = 64,
                     flags: UInt16 = 0x4000, checksumOffset: Int?) -> [UInt8] {
        var segment = segment
        if let checksumOffset {
            segment[checksumOffset] = 0
            segment[checksumOffset + 1] = 0
            let sum = number == 1 ? checksum(segment)
                : checksum(ipv4PseudoHeader(source, destination, length: segment.count, protocol: number), segment)
            segment.replaceSubrange(checksumOffset..<checksumOffset + 2, with: be16(Int(sum)))
        }
        var header: [UInt8] = [0x45, 0] + be16(20 + segment.count) + [0x12, 0x34] + be16(Int(flags))
            + [ttl, number, 0, 0] + be32(source) + be32(destination)
        header.replaceSubrange(10..<12, with: be16(Int(checksum(header))))
        return header + segment
    }

    public static func icmpEcho(type: UInt8, identifier: Int, sequence: Int, data: [UInt8]) -> [UInt8] {
        [type, 0, 0, 0] + be16(identifier) + be16(sequence) + data
    }

    public static func udp(source: Int, destination: Int, data: [UInt8]) -> [UInt8] {
        be16(source) + be16(destination) + be16(8 + data.count) + [0, 0] + data
    }

    public static func tcp(source: Int, destination: Int, data: [UInt8], sequence: UInt32 = 1, flags: UInt8 = 0x18) -> [UInt8] {
        be16(source) + be16(destination) + be32(sequence) + be32(0) + [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + data
    }

    /// Runs `body` on a copy of `packet` placed after `headroom` bytes in a buffer with `tailroom` bytes after.
    public static func inBuffer<R>(_ packet: [UInt8], headroom: Int = 64, tailroom: Int = 64,
                            _ body: (UnsafeMutableRawBufferPointer, Int, Int) throws -> R) rethrows -> R {
        var buffer = [UInt8](repeating: 0xCC, count: headroom + packet.count + tailroom)
        buffer.replaceSubrange(headroom..<headroom + packet.count, with: packet)
        return try buffer.withUnsafeMutableBytes { try body($0, headroom, packet.count) }
    }

    public static let lsiA: UInt32 = 0x0100_0001   // 1.0.0.1
    public static let lsiB: UInt32 = 0x0100_0002   // 1.0.0.2
}

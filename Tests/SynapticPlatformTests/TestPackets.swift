// Test helpers: build IPv4/IPv6 UDP packets with correct checksums (RFC 768, RFC 791 §3.1, RFC 8200 §8.1),
// and wait for readiness. Written independently of the code under test, as a second path.

import Glibc
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

enum TestPackets {
    /// The 16-bit one's complement of the one's complement sum of `bytes` (RFC 1071), folded.
    static func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }

    /// An IPv4 packet carrying `payload` as protocol `proto`, header checksum set.
    static func ipv4(source: IPv4Address, destination: IPv4Address, proto: UInt8, payload: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0x45, 0] + be16(20 + payload.count) + [0x12, 0x34, 0x40, 0, 64, proto, 0, 0]
        header += source.bytes + destination.bytes
        let checksum = internetChecksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return header + payload
    }

    /// A UDP datagram with the checksum computed over the IPv4 or IPv6 pseudo header.
    static func udp(from source: SocketAddress, to destination: SocketAddress, payload: [UInt8]) -> [UInt8] {
        let length = 8 + payload.count
        var datagram = be16(Int(source.port)) + be16(Int(destination.port)) + be16(length) + [0, 0] + payload
        let pseudo: [UInt8]
        switch (source.address, destination.address) {
        case (.v4(let s), .v4(let d)):
            pseudo = s.bytes + d.bytes + [0, 17] + be16(length)
        default:
            pseudo = source.address.bytes + destination.address.bytes + [0, 0] + be16(length) + [0, 0, 0, 17]
        }
        var checksum = internetChecksum(pseudo + datagram)
        if checksum == 0 { checksum = 0xFFFF }
        datagram[6] = UInt8(checksum >> 8)
        datagram[7] = UInt8(checksum & 0xFF)
        return datagram
    }

    /// An IPv4 or IPv6 packet holding a UDP datagram from `source` to `destination`.
    static func udpPacket(from source: SocketAddress, to destination: SocketAddress, payload: [UInt8]) -> [UInt8] {
        let datagram = udp(from: source, to: destination, payload: payload)
        switch (source.address, destination.address) {
        case (.v4(let s), .v4(let d)):
            return ipv4(source: s, destination: d, proto: 17, payload: datagram)
        default:
            return [0x60, 0, 0, 0] + be16(datagram.count) + [17, 64] + source.address.bytes
                + destination.address.bytes + datagram
        }
    }

    /// A deterministic payload for datagram `index` of a test: its length and bytes depend on the index.
    static func payload(index: Int, length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index &* 7 &+ 1) }
    }
}

/// Waits until `fd` is readable, using the EventPoller under test. False on timeout.
func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32 = 3000) throws -> Bool {
    let poller = try EventPoller()
    defer { poller.close() }
    try poller.register(fd, token: 1, for: .readable)
    let events = ReadyEvents(capacity: 4)
    return try poller.wait(into: events, timeoutMilliseconds: timeoutMilliseconds) > 0
}

/// The trait namespace tests carry: enabled only as root with iproute2, else skipped with the reason.
let needsNamespaces = ConditionTrait.enabled(if: NetworkNamespace.isAvailable,
                                             Comment(rawValue: NetworkNamespace.skipReason))

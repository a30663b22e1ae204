// LSI ⇄ HIT translation and BEET framing, verified with TestPackets' independent checksum.
import HIPWire
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("BEET framing and LSI translation")
struct LSITranslatorTests {
    static let hitA = HIT("2001:20::1")!
    static let hitB = HIT("2001:20::2")!
    typealias P = TestPackets

    static func toIPv6(_ packet: [UInt8]) throws -> [UInt8] {
        try P.inBuffer(packet) { buffer, offset, length in
            let out = try LSITranslator.ipv4ToIPv6(buffer, offset: offset, length: length,
                                                   source: PackedHIT(hitA), destination: PackedHIT(hitB))
            return Array(buffer[out.offset..<out.offset + out.length])
        }
    }

    static func toIPv4(_ packet: [UInt8]) throws -> [UInt8] {
        try P.inBuffer(packet) { buffer, offset, length in
            let out = try LSITranslator.ipv6ToIPv4(buffer, offset: offset, length: length,
                                                   source: P.lsiB, destination: P.lsiA)
            return Array(buffer[out.offset..<out.offset + out.length])
        }
    }

    @Test("RFC 7401 App. C.3: an LSI TCP SYN translates to the HIT checksum 0x6faa")
    func appendixC3() throws {
        let syn = P.tcp(source: 65500, destination: 22, data: [], sequence: 1, flags: 0x02)
        let ipv4 = P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: syn, checksumOffset: 16)
        let ipv6 = try Self.toIPv6(ipv4)
        #expect(Array(ipv6[40...]) == Hex.decode("ffdc001600000001000000005002ffff6faa0000"))
        #expect(ipv6[6] == 6 && ipv6[7] == 64)
        #expect(Array(ipv6[8..<24]) == Self.hitA.bytes && Array(ipv6[24..<40]) == Self.hitB.bytes)
    }

    @Test("ICMP echo request ⇄ ICMPv6 echo request, checksums valid both ways, TTL ⇄ hop limit")
    func icmpEcho() throws {
        let echo = P.icmpEcho(type: 8, identifier: 0x2F82, sequence: 7, data: Array(0..<56))
        let ipv4 = P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: echo, ttl: 63, checksumOffset: 2)
        let ipv6 = try Self.toIPv6(ipv4)
        #expect(ipv6.count == 40 + echo.count)
        #expect(ipv6[6] == 58 && ipv6[7] == 63 && ipv6[40] == 128)
        #expect(P.checksum(P.ipv6PseudoHeader(Self.hitA, Self.hitB, length: echo.count, nextHeader: 58), Array(ipv6[40...])) == 0)
        #expect(Array(ipv6[44...]) == Array(echo[4...]))
        // The peer's reply (as it arrives from BEET) goes back to an ICMP echo reply between the LSIs.
        var reply = Array(ipv6[40...])
        reply[0] = 129
        let replyV6 = P.ipv6(Self.hitB, Self.hitA, nextHeader: 58, segment: reply, hopLimit: 61, checksumOffset: 2)
        let replyV4 = try Self.toIPv4(replyV6)
        #expect(replyV4.count == 20 + echo.count)
        #expect(replyV4[0] == 0x45 && replyV4[8] == 61 && replyV4[9] == 1 && replyV4[20] == 0)
        #expect(P.checksum(Array(replyV4[0..<20])) == 0)
        #expect(P.checksum(Array(replyV4[20...])) == 0)
        #expect(Array(replyV4[12..<20]) == P.be32(P.lsiB) + P.be32(P.lsiA))
    }

    @Test("TCP and UDP translate both ways with checksums valid for each pseudo-header", arguments: [6 as UInt8, 17])
    func transport(protocolNumber: UInt8) throws {
        var generator = SeededGenerator(seed: UInt64(protocolNumber))
        for size in [0, 1, 2, 3, 100, 1001, 1400] {
            let data = generator.bytes(size)
            let segment = protocolNumber == 6 ? P.tcp(source: 40000, destination: 80, data: data)
                : P.udp(source: 5353, destination: 53, data: data)
            let checksumOffset = protocolNumber == 6 ? 16 : 6
            let ipv4 = P.ipv4(P.lsiA, P.lsiB, protocol: protocolNumber, segment: segment, checksumOffset: checksumOffset)
            let ipv6 = try Self.toIPv6(ipv4)
            let pseudo6 = P.ipv6PseudoHeader(Self.hitA, Self.hitB, length: segment.count, nextHeader: protocolNumber)
            #expect(P.checksum(pseudo6, Array(ipv6[40...])) == 0, "size \(size)")
            // Reverse direction: the same segment from the peer's HIT to ours becomes LSI B → LSI A.
            let back6 = P.ipv6(Self.hitB, Self.hitA, nextHeader: protocolNumber, segment: segment, checksumOffset: checksumOffset)
            let back4 = try Self.toIPv4(back6)
            let pseudo4 = P.ipv4PseudoHeader(P.lsiB, P.lsiA, length: segment.count, protocol: protocolNumber)
            #expect(P.checksum(pseudo4, Array(back4[20...])) == 0, "size \(size)")
            #expect(P.checksum(Array(back4[0..<20])) == 0)
            #expect(Array(back4[20...]).count == segment.count)
        }
    }

    @Test("an IPv4 UDP packet without checksum gets a full IPv6 checksum")
    func udpZeroChecksum() throws {
        let segment = P.udp(source: 1, destination: 2, data: Array(repeating: 7, count: 33))
        let ipv6 = try Self.toIPv6(P.ipv4(P.lsiA, P.lsiB, protocol: 17, segment: segment, checksumOffset: nil))
        #expect(ipv6[46] != 0 || ipv6[47] != 0)
        #expect(P.checksum(P.ipv6PseudoHeader(Self.hitA, Self.hitB, length: segment.count, nextHeader: 17), Array(ipv6[40...])) == 0)
    }

    @Test("fragments, untranslatable ICMP and malformed headers are refused with the right reason")
    func refusals() throws {
        let echo = P.icmpEcho(type: 8, identifier: 1, sequence: 1, data: [1, 2, 3, 4])
        let fragment = P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: echo, flags: 0x2000, checksumOffset: 2)
        #expect(throws: DataPlaneError.fragment) { try Self.toIPv6(fragment) }
        let offsetFragment = P.ipv4(P.lsiA, P.lsiB, protocol: 17, segment: echo, flags: 0x0010, checksumOffset: nil)
        #expect(throws: DataPlaneError.fragment) { try Self.toIPv6(offsetFragment) }
        let unreachable = P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: [3, 1, 0, 0, 0, 0, 0, 0], checksumOffset: 2)
        #expect(throws: DataPlaneError.unsupportedICMP) { try Self.toIPv6(unreachable) }
        var badLength = P.ipv4(P.lsiA, P.lsiB, protocol: 17, segment: P.udp(source: 1, destination: 2, data: []), checksumOffset: 6)
        badLength[3] = 200
        #expect(throws: DataPlaneError.badLength) { try Self.toIPv6(badLength) }
        #expect(throws: DataPlaneError.truncated) { try Self.toIPv6(Array(badLength.prefix(19))) }
        let shortTCP = P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: [0, 1, 0, 2], checksumOffset: nil)
        #expect(throws: DataPlaneError.truncated) { try Self.toIPv6(shortTCP) }
        let v6fragment = P.ipv6(Self.hitB, Self.hitA, nextHeader: 44, segment: [17, 0, 0, 1, 0, 0, 0, 1], checksumOffset: nil)
        #expect(throws: DataPlaneError.fragment) { try Self.toIPv4(v6fragment) }
        let hopByHop = P.ipv6(Self.hitB, Self.hitA, nextHeader: 0, segment: [17, 0, 1, 4, 0, 0, 0, 0], checksumOffset: nil)
        #expect(throws: DataPlaneError.extensionHeaders) { try Self.toIPv4(hopByHop) }
        // Not enough headroom to grow the header.
        let echoV4 = P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: echo, checksumOffset: 2)
        #expect(throws: DataPlaneError.noRoom) {
            try P.inBuffer(echoV4, headroom: 10) { buffer, offset, length in
                try LSITranslator.ipv4ToIPv6(buffer, offset: offset, length: length,
                                             source: PackedHIT(Self.hitA), destination: PackedHIT(Self.hitB))
            }
        }
    }

    @Test("BEET strip then rebuild gives back the exact original IPv6 packet")
    func beetRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        for size in [0, 1, 8, 64, 1452] {
            let segment = P.udp(source: 9, destination: 10, data: generator.bytes(size))
            let original = P.ipv6(Self.hitB, Self.hitA, nextHeader: 17, segment: segment, hopLimit: 57, checksumOffset: 6)
            let rebuilt = try P.inBuffer(original) { buffer, offset, length in
                let inner = try BEET.strip(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]))
                #expect(inner.offset == 40 && inner.length == segment.count && inner.nextHeader == 17)
                #expect(inner.source == PackedHIT(Self.hitB) && inner.destination == PackedHIT(Self.hitA))
                // Wipe the header so that rebuild cannot just leave it in place.
                for index in offset..<offset + 40 { buffer[index] = 0xAB }
                let start = try BEET.rebuild(in: buffer, payloadOffset: offset + 40, payloadLength: inner.length,
                                             nextHeader: 17, source: inner.source, destination: inner.destination,
                                             hopLimit: 57)
                return Array(buffer[start..<start + 40 + inner.length])
            }
            #expect(rebuilt == original)
        }
    }

    @Test("BEET refuses truncated, non-IPv6 and inconsistent headers")
    func beetMalformed() {
        let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 17, segment: P.udp(source: 1, destination: 2, data: [1]),
                            checksumOffset: 6)
        func strip(_ bytes: [UInt8]) throws { _ = try bytes.withUnsafeBytes { try BEET.strip($0) } }
        #expect(throws: DataPlaneError.truncated) { try strip(Array(packet.prefix(39))) }
        #expect(throws: DataPlaneError.badLength) { try strip(Array(packet.dropLast())) }
        var v4 = packet
        v4[0] = 0x45
        #expect(throws: DataPlaneError.badIPVersion) { try strip(v4) }
        var jumbo = packet
        jumbo[4] = 0
        jumbo[5] = 0
        #expect(throws: DataPlaneError.badLength) { try strip(jumbo) }
    }
}

// TUN offloads as pure functions: SuperPacket splits what a TUN with IFF_VNET_HDR hands over (TSO/USO
// super-packets, partial checksums) into the packets the kernel would have sent, and TCPCoalescer joins
// opened segments back into super-packets; both checked against packets built independently (TestPackets
// and its textbook checksum), and against each other (split ∘ coalesce is the identity).
import HIPWire
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

/// Packet builders shared by the offload suites.
enum OffloadPackets {
    typealias P = TestPackets
    static let hitA = HIT("2001:20::a")!
    static let hitB = HIT("2001:20::b")!
    /// TCP timestamps (NOP, NOP, kind 8 length 10): 12 bytes of options, as Linux sends them.
    static let timestamps: [UInt8] = [1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0]

    static func tcp(sequence: UInt32, acknowledgment: UInt32 = 7, flags: UInt8 = 0x10, options: [UInt8] = timestamps,
                    window: Int = 512, data: [UInt8]) -> [UInt8] {
        let length = 20 + options.count
        return P.be16(40000) + P.be16(80) + P.be32(sequence) + P.be32(acknowledgment) + [UInt8(length / 4) << 4, flags]
            + P.be16(window) + [0, 0, 0, 0] + options + data
    }

    /// An IPv6 packet between the HITs, or an IPv4 one between the LSIs with identification `id`, around
    /// `segment` (protocol 6 or 17), transport checksum filled in.
    static func ip(_ segment: [UInt8], v4: Bool, protocol number: UInt8 = 6, id: Int = 0x1234, ttl: UInt8 = 64) -> [UInt8] {
        let checksumOffset = number == 6 ? 16 : 6
        guard v4 else {
            return P.ipv6(hitA, hitB, nextHeader: number, segment: segment, hopLimit: ttl, checksumOffset: checksumOffset)
        }
        var packet = P.ipv4(P.lsiA, P.lsiB, protocol: number, segment: segment, ttl: ttl, checksumOffset: checksumOffset)
        packet.replaceSubrange(4..<6, with: P.be16(id & 0xFFFF))
        packet.replaceSubrange(10..<12, with: [0, 0])
        packet.replaceSubrange(10..<12, with: P.be16(Int(P.checksum(Array(packet[..<20])))))
        return packet
    }

    static func virtioHeader(flags: UInt8, gsoType: UInt8, headerLength: Int, gsoSize: Int, checksumStart: Int,
                             checksumOffset: Int) -> [UInt8] {
        let le = { (value: Int) in [UInt8(value & 0xFF), UInt8(value >> 8)] }
        return [flags, gsoType] + le(headerLength) + le(gsoSize) + le(checksumStart) + le(checksumOffset)
    }

    /// Whether the transport checksum of `packet` verifies (textbook loop).
    static func transportChecksumIsValid(_ packet: [UInt8]) -> Bool {
        if packet[0] >> 4 == 4 {
            let segment = Array(packet[20...])
            let pseudo = P.ipv4PseudoHeader(P.lsiA, P.lsiB, length: segment.count, protocol: packet[9])
            return P.checksum(pseudo, segment) == 0 && P.checksum(Array(packet[..<20])) == 0
        }
        let segment = Array(packet[40...])
        return P.checksum(P.ipv6PseudoHeader(hitA, hitB, length: segment.count, nextHeader: packet[6]), segment) == 0
    }

    /// Every segment of `read` (virtio-net header + packet), as SuperPacket writes them.
    static func split(_ read: [UInt8], maximum: Int = 2000) throws -> [[UInt8]] {
        try read.withUnsafeBytes { bytes in
            let superPacket = try SuperPacket(parsing: bytes, maximumSegmentLength: maximum)
            var buffer = [UInt8](repeating: 0xEE, count: maximum)
            return (0..<superPacket.segmentCount).map { index in
                let length = buffer.withUnsafeMutableBytes { superPacket.write(segment: index, into: $0) }
                return Array(buffer[..<length])
            }
        }
    }

    /// A batch holding `packets` at the headroom, none dropped.
    static func batch(_ packets: [[UInt8]]) -> PacketBatch {
        let batch = PacketBatch(capacity: max(packets.count, 1))
        for (index, packet) in packets.enumerated() {
            batch.readArea(at: index).copyBytes(from: packet)
            batch.setRead(index, length: packet.count)
        }
        batch.count = packets.count
        return batch
    }

    /// What the node writes to the TUN for `batch` after `coalescer.coalesce`: per head, its virtio-net
    /// header and packet, then each member's payload.
    static func writes(_ coalescer: TCPCoalescer, _ batch: PacketBatch) -> [[UInt8]] {
        (0..<batch.count).filter { coalescer.isHead($0) }.map { head in
            var bytes = Array(coalescer.head(head, in: batch))
            var member = coalescer.member(after: head)
            while let current = member {
                bytes += coalescer.payload(current, in: batch)
                member = coalescer.member(after: current)
            }
            return bytes
        }
    }
}

@Suite struct SuperPacketTests {
    typealias O = OffloadPackets

    /// A TSO read of `segments` × 1000 payload bytes and a 500-byte tail, flags CWR|ACK|PSH|FIN, with the
    /// pseudo-header sum in its checksum (as the kernel leaves it), and the packets the kernel would make.
    static func tso(v4: Bool) -> (read: [UInt8], expected: [[UInt8]]) {
        let payload = (0..<3500).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let flags: UInt8 = 0x80 | 0x10 | 0x08 | 0x01
        var whole = O.ip(O.tcp(sequence: 0xFFFF_FC00, flags: flags, data: payload), v4: v4, id: 0xFFFF)
        let ipLength = v4 ? 20 : 40
        whole.replaceSubrange((ipLength + 16)..<(ipLength + 18), with: [0x12, 0x34])   // not the real checksum
        let header = O.virtioHeader(flags: 1, gsoType: v4 ? 1 : 4, headerLength: ipLength + 32, gsoSize: 1000,
                                    checksumStart: ipLength, checksumOffset: 16)
        let expected = (0..<4).map { index in
            var segmentFlags: UInt8 = 0x10
            if index == 0 { segmentFlags |= 0x80 }
            if index == 3 { segmentFlags |= 0x08 | 0x01 }
            let data = Array(payload[(index * 1000)..<min(index * 1000 + 1000, 3500)])
            return O.ip(O.tcp(sequence: 0xFFFF_FC00 &+ UInt32(index * 1000), flags: segmentFlags, data: data), v4: v4,
                        id: 0xFFFF + index)
        }
        return (header + whole, expected)
    }

    @Test("TSO: segments by gso_size with IP length and ID, sequence numbers, FIN/PSH last, CWR first, full checksums",
          arguments: [true, false])
    func tcpSegmentation(v4: Bool) throws {
        let (read, expected) = Self.tso(v4: v4)
        let segments = try O.split(read)
        #expect(segments == expected)
        #expect(segments.allSatisfy(O.transportChecksumIsValid))
    }

    @Test("USO: UDP segments with their own length and checksum", arguments: [true, false])
    func udpSegmentation(v4: Bool) throws {
        let payload = (0..<2600).map { UInt8(truncatingIfNeeded: $0 ^ 0x5A) }
        let whole = O.ip(TestPackets.udp(source: 5000, destination: 53, data: payload), v4: v4, protocol: 17, id: 10)
        let ipLength = v4 ? 20 : 40
        let read = O.virtioHeader(flags: 1, gsoType: 5, headerLength: ipLength + 8, gsoSize: 1200,
                                  checksumStart: ipLength, checksumOffset: 6) + whole
        let expected = (0..<3).map { index in
            O.ip(TestPackets.udp(source: 5000, destination: 53, data: Array(payload[(index * 1200)..<min(index * 1200 + 1200, 2600)])),
                 v4: v4, protocol: 17, id: 10 + index)
        }
        let segments = try O.split(read)
        #expect(segments.count == 3)
        for (segment, packet) in zip(segments, expected) {
            #expect(Array(segment[..<(ipLength + 6)]) == Array(packet[..<(ipLength + 6)]))
            #expect(Array(segment[(ipLength + 8)...]) == Array(packet[(ipLength + 8)...]))
            #expect(O.transportChecksumIsValid(segment))
        }
    }

    @Test("no GSO: copied as is; NEEDS_CSUM completes the partial checksum", arguments: [true, false])
    func singlePackets(v4: Bool) throws {
        let packet = O.ip(O.tcp(sequence: 9, flags: 0x18, data: Array(repeating: 3, count: 101)), v4: v4)
        #expect(try O.split(O.virtioHeader(flags: 0, gsoType: 0, headerLength: 0, gsoSize: 0, checksumStart: 0,
                                           checksumOffset: 0) + packet) == [packet])
        let ipLength = v4 ? 20 : 40
        var partial = packet
        let segmentLength = packet.count - ipLength
        let pseudo = v4 ? TestPackets.ipv4PseudoHeader(TestPackets.lsiA, TestPackets.lsiB, length: segmentLength, protocol: 6)
                        : TestPackets.ipv6PseudoHeader(O.hitA, O.hitB, length: segmentLength, nextHeader: 6)
        partial.replaceSubrange((ipLength + 16)..<(ipLength + 18), with: TestPackets.be16(Int(~TestPackets.checksum(pseudo))))
        let read = O.virtioHeader(flags: 1, gsoType: 0, headerLength: ipLength + 32, gsoSize: 0, checksumStart: ipLength,
                                  checksumOffset: 16) + partial
        #expect(try O.split(read) == [packet])
    }

    @Test("a GSO read with no payload, or one short segment, is one packet")
    func shortReads() throws {
        for data in [[UInt8](), Array(repeating: 1, count: 10)] {
            let packet = O.ip(O.tcp(sequence: 1, data: data), v4: false)
            let read = O.virtioHeader(flags: 1, gsoType: 4, headerLength: 72, gsoSize: 1000, checksumStart: 40,
                                      checksumOffset: 16) + packet
            #expect(try O.split(read) == [packet])
        }
    }

    @Test("reads the header does not describe are dropped with their reason")
    func malformedReads() {
        let v6 = O.ip(O.tcp(sequence: 1, data: Array(repeating: 1, count: 3000)), v4: false)
        let v4 = O.ip(O.tcp(sequence: 1, data: Array(repeating: 1, count: 3000)), v4: true)
        var fragment = v4
        fragment[6] |= 0x20
        let cases: [(String, [UInt8], DataPlaneError)] = [
            ("UFO (gso_type 3) was never offered", O.virtioHeader(flags: 1, gsoType: 3, headerLength: 0, gsoSize: 1000, checksumStart: 40, checksumOffset: 16) + v6, .badOffload),
            ("checksum start is not the TCP header", O.virtioHeader(flags: 1, gsoType: 4, headerLength: 0, gsoSize: 1000, checksumStart: 44, checksumOffset: 16) + v6, .badOffload),
            ("checksum offset is not TCP's", O.virtioHeader(flags: 1, gsoType: 4, headerLength: 0, gsoSize: 1000, checksumStart: 40, checksumOffset: 6) + v6, .badOffload),
            ("gso_size 0", O.virtioHeader(flags: 1, gsoType: 4, headerLength: 0, gsoSize: 0, checksumStart: 40, checksumOffset: 16) + v6, .badOffload),
            ("TCPV4 on an IPv6 packet", O.virtioHeader(flags: 1, gsoType: 1, headerLength: 0, gsoSize: 1000, checksumStart: 40, checksumOffset: 16) + v6, .badIPVersion),
            ("USO on a TCP packet", O.virtioHeader(flags: 1, gsoType: 5, headerLength: 0, gsoSize: 1000, checksumStart: 40, checksumOffset: 6) + v6, .badOffload),
            ("IPv4 fragment", O.virtioHeader(flags: 1, gsoType: 1, headerLength: 0, gsoSize: 1000, checksumStart: 20, checksumOffset: 16) + fragment, .fragment),
            ("IP length beyond the read", O.virtioHeader(flags: 1, gsoType: 4, headerLength: 0, gsoSize: 1000, checksumStart: 40, checksumOffset: 16) + Array(v6[..<2000]), .badLength),
            ("segments longer than the slot", O.virtioHeader(flags: 1, gsoType: 4, headerLength: 0, gsoSize: 1999, checksumStart: 40, checksumOffset: 16) + v6, .noRoom),
            ("a single packet longer than the slot", O.virtioHeader(flags: 0, gsoType: 0, headerLength: 0, gsoSize: 0, checksumStart: 0, checksumOffset: 0) + v6, .noRoom),
            ("partial checksum outside the packet", O.virtioHeader(flags: 1, gsoType: 0, headerLength: 0, gsoSize: 0, checksumStart: 60, checksumOffset: 1000) + Array(v6[..<100]), .badOffload),
            ("only a header", Array(repeating: 0, count: 10), .truncated),
            ("shorter than a header", [1, 4, 0], .truncated),
        ]
        for (name, read, error) in cases {
            #expect(throws: error, "\(name)") { _ = try O.split(read) }
        }
    }
}

@Suite struct TCPCoalescerTests {
    typealias O = OffloadPackets

    /// `count` consecutive segments of `size` bytes (the last `last` bytes when given) of one flow.
    static func flow(v4: Bool, count: Int, size: Int = 1000, last: Int? = nil, sequence: UInt32 = 5000,
                     flags: (Int) -> UInt8 = { _ in 0x10 }) -> [[UInt8]] {
        var next = sequence
        return (0..<count).map { index in
            let length = index == count - 1 ? (last ?? size) : size
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &+ index &* 31) }
            defer { next &+= UInt32(length) }
            return O.ip(O.tcp(sequence: next, flags: flags(index), data: data), v4: v4, id: 100 + index)
        }
    }

    @Test("consecutive segments of a flow become one TUN write whose split gives them back", arguments: [true, false])
    func roundTrip(v4: Bool) throws {
        let segments = Self.flow(v4: v4, count: 5, last: 300, flags: { $0 == 4 ? 0x18 : 0x10 })
        let batch = O.batch(segments)
        let coalescer = TCPCoalescer(capacity: 8)
        coalescer.coalesce(batch)
        let writes = O.writes(coalescer, batch)
        #expect(writes.count == 1 && coalescer.packetCount(0) == 5)
        let header = try #require(writes.first.flatMap { $0.withUnsafeBytes { VirtioNetHeader(loadingFrom: $0) } })
        let ipLength = v4 ? 20 : 40
        #expect(header == VirtioNetHeader(flags: 1, gsoType: v4 ? 1 : 4, headerLength: UInt16(ipLength + 32), gsoSize: 1000,
                                          checksumStart: UInt16(ipLength), checksumOffset: 16))
        #expect(writes[0].count == 10 + ipLength + 32 + 4300)
        #expect(try O.split(writes[0]) == segments)
    }

    @Test("a packet alone gets an all-zero virtio-net header and its own bytes")
    func alone() {
        let packets = [O.ip(TestPackets.udp(source: 1, destination: 2, data: [1, 2, 3]), v4: false, protocol: 17),
                       Self.flow(v4: true, count: 1)[0]]
        let batch = O.batch(packets)
        let coalescer = TCPCoalescer(capacity: 2)
        coalescer.coalesce(batch)
        #expect(O.writes(coalescer, batch) == packets.map { [UInt8](repeating: 0, count: 10) + $0 })
    }

    /// Groups (as indices into the input, heads in batch order) of a coalesced batch.
    static func groups(_ packets: [[UInt8]], dropped: Set<Int> = []) -> [[Int]] {
        let batch = O.batch(packets)
        for index in dropped { batch[metadata: index] = PacketMetadata(drop: .replay) }
        let coalescer = TCPCoalescer(capacity: packets.count)
        coalescer.coalesce(batch)
        return (0..<packets.count).filter { coalescer.isHead($0) }.map { head in
            var group = [head]
            while let member = coalescer.member(after: group.last!) { group.append(member) }
            return group
        }
    }

    /// `packets` with packet `index` changed by `change` (checksum recomputed, as a sender would send it).
    static func changing(_ packets: [[UInt8]], _ index: Int, v4: Bool, _ change: (inout [UInt8]) -> Void) -> [[UInt8]] {
        var packets = packets
        let ipLength = v4 ? 20 : 40
        var tcp = Array(packets[index][ipLength...])
        change(&tcp)
        packets[index] = O.ip(tcp, v4: v4, id: 100 + index)
        return packets
    }

    @Test("what starts a new group", arguments: [true, false])
    func boundaries(v4: Bool) {
        let five = Self.flow(v4: v4, count: 5)
        #expect(Self.groups(five) == [[0, 1, 2, 3, 4]])
        // A gap in the sequence numbers, another ACK number or other options start a group (and the packets
        // after them differ from it in turn); another window does not (the head's is kept).
        #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[7] &+= 1 }) == [[0, 1], [2], [3, 4]])
        #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[11] &+= 1 }) == [[0, 1], [2], [3, 4]])
        #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[29] &+= 1 }) == [[0, 1], [2], [3, 4]])
        #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[15] = 1 }) == [[0, 1, 2, 3, 4]])
        // PSH ends a group; SYN, FIN, RST, URG, ECE, CWR, or no ACK, keep a packet alone and end its flow's group.
        #expect(Self.groups(Self.changing(five, 1, v4: v4) { $0[13] |= 0x08 }) == [[0, 1], [2, 3, 4]])
        for flag: UInt8 in [0x02, 0x01, 0x04, 0x20, 0x40, 0x80] {
            #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[13] |= flag }) == [[0, 1], [2], [3, 4]], "flag \(flag)")
        }
        #expect(Self.groups(Self.changing(five, 2, v4: v4) { $0[13] = 0 }) == [[0, 1], [2], [3, 4]])
        // A bad checksum: alone, and its flow starts over (a retransmission of it must not overtake it).
        var corrupt = five
        corrupt[2][corrupt[2].count - 1] ^= 0xFF
        #expect(Self.groups(corrupt) == [[0, 1], [2], [3, 4]])
        // A short segment ends a group; the IP fields of the head must match; drops are skipped.
        #expect(Self.groups(Self.flow(v4: v4, count: 2, last: 10) + Self.flow(v4: v4, count: 2, sequence: 6010)) == [[0, 1], [2, 3]])
        var otherTTL = five
        otherTTL[3] = O.ip(Array(five[3][(v4 ? 20 : 40)...]), v4: v4, id: 103, ttl: 9)
        #expect(Self.groups(otherTTL) == [[0, 1, 2], [3], [4]])
        #expect(Self.groups(five, dropped: [1]) == [[0], [2, 3, 4]])
    }

    @Test("interleaved flows each keep a group; at most 64 segments and 65535 bytes per group")
    func flowsAndLimits() {
        let a = Self.flow(v4: false, count: 3)
        let b = Self.flow(v4: true, count: 3)
        #expect(Self.groups([a[0], b[0], a[1], b[1], a[2], b[2]]) == [[0, 2, 4], [1, 3, 5]])
        #expect(Self.groups(Self.flow(v4: false, count: 66, size: 100)).map(\.count) == [64, 2])
        #expect(Self.groups(Self.flow(v4: true, count: 40, size: 1800)).map(\.count) == [36, 4])
        // Nine flows: the table holds eight; the ninth evicts the least recently grown (flow 0), whose next
        // segment then starts over.
        let flows: [[[UInt8]]] = (0..<9).map { index in
            Self.flow(v4: false, count: 2, sequence: UInt32(index) * 100_000).map { packet in
                var tcp = Array(packet[40...])
                tcp.replaceSubrange(0..<2, with: TestPackets.be16(41000 + index))
                return O.ip(tcp, v4: false)
            }
        }
        let packets = (0..<8).map { flows[$0][0] } + (1..<8).map { flows[$0][1] } + [flows[8][0], flows[0][1]]
        #expect(Self.groups(packets) == [[0], [1, 8], [2, 9], [3, 10], [4, 11], [5, 12], [6, 13], [7, 14], [15], [16]])
    }
}

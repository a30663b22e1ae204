// Two hosts' data planes in memory: A's outbound processor → ESP bytes → B's inbound processor.
import HIPCrypto
import HIPWire
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("Data path: SA database and processors")
struct DataPathTests {
    typealias P = TestPackets
    static let hitA = HIT("2001:20::a")!
    static let hitB = HIT("2001:20::b")!
    static let spiAB: UInt32 = 0x1000_0001   // A → B (B's inbound SPI)
    static let spiBA: UInt32 = 0x2000_0002   // B → A

    /// One host: its database, flow table and processors.
    struct Host {
        let database: SADatabase
        let flows = LSIFlowTable(capacity: 64)
        var policy: (any InboundFlowPolicy)?

        init(workers: Int = 1) { database = SADatabase(workers: workers) }
        var outbound: OutboundProcessor { OutboundProcessor(database: database, flows: flows) }
        var inbound: InboundProcessor { InboundProcessor(database: database, flows: flows, policy: policy) }

        /// Seals `packet` from the inside; returns the ESP bytes.
        func send(_ packet: [UInt8]) throws -> [UInt8] {
            try P.inBuffer(packet) { buffer, offset, length in
                let sealed = try outbound.process(buffer, offset: offset, length: length)
                return Array(buffer[sealed.offset..<sealed.offset + sealed.length])
            }
        }

        /// Opens ESP bytes from the outside; returns the inner packet.
        func receive(_ esp: [UInt8], hopLimit: UInt8 = 64) throws -> [UInt8] {
            try P.inBuffer(esp) { buffer, offset, length in
                let opened = try inbound.process(buffer, offset: offset, length: length, hopLimit: hopLimit)
                return Array(buffer[opened.offset..<opened.offset + opened.length])
            }
        }
    }

    /// Hosts A and B with an SA pair for `suite`, keys as KEYMAT would give them.
    static func pair(_ suite: ESPSuiteID = .aesGCM16, workers: Int = 1) throws -> (Host, Host) {
        var generator = SeededGenerator(seed: UInt64(suite.rawValue))
        let keysAB = ESPKeys(encryption: SecretBytes(generator.bytes(suite.encryptionKeyLength)),
                             authentication: SecretBytes(generator.bytes(suite.authenticationKeyLength)))
        let keysBA = ESPKeys(encryption: SecretBytes(generator.bytes(suite.encryptionKeyLength)),
                             authentication: SecretBytes(generator.bytes(suite.authenticationKeyLength)))
        let a = Host(workers: workers), b = Host(workers: workers)
        let fromA = SAEndpoints(ownHIT: hitA, peerHIT: hitB, ownLSI: P.lsiA, peerLSI: P.lsiB)
        let fromB = SAEndpoints(ownHIT: hitB, peerHIT: hitA, ownLSI: P.lsiB, peerLSI: P.lsiA)
        try a.database.installOutbound(spi: spiAB, suite: suite, keys: keysAB, endpoints: fromA, tag: 7)
        try b.database.installInbound(spi: spiAB, suite: suite, keys: keysAB, endpoints: fromB, tag: 8)
        try b.database.installOutbound(spi: spiBA, suite: suite, keys: keysBA, endpoints: fromB)
        try a.database.installInbound(spi: spiBA, suite: suite, keys: keysBA, endpoints: fromA)
        return (a, b)
    }

    @Test("IPv6 between the HITs arrives as the exact original packet, for every suite", arguments: ESPSuiteID.allCases)
    func hitPath(suite: ESPSuiteID) throws {
        let (a, b) = try Self.pair(suite)
        var generator = SeededGenerator(seed: 3)
        for size in [0, 1, 100, 1400] {
            let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 17,
                                segment: P.udp(source: 1000, destination: 2000, data: generator.bytes(size)),
                                hopLimit: 64, checksumOffset: 6)
            let esp = try a.send(packet)
            #expect(Array(esp[0..<4]) == P.be32(Self.spiAB))
            #expect(esp.count == suite.packetLength(payloadLength: packet.count - 40))
            #expect(try b.receive(esp, hopLimit: 64) == packet)
        }
        #expect(a.database.outbound(peer: Self.hitB)?.counters.packetsOut == 4)
        #expect(b.database.inbound(spi: Self.spiAB)?.counters.packetsIn == 4)
        #expect(b.database.inbound(spi: Self.spiAB)?.counters.bytesIn == UInt64(4 * 8 + 1501))
    }

    @Test("ping over LSIs: IPv4 echo → ICMPv6 at the peer; the peer's IPv6 reply comes back as IPv4")
    func lsiPing() throws {
        let (a, b) = try Self.pair()
        let request = P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: P.icmpEcho(type: 8, identifier: 0x77, sequence: 1,
                                                                               data: Array(0..<32)), checksumOffset: 2)
        let atB = try b.receive(try a.send(request))
        #expect(atB[0] >> 4 == 6 && atB[6] == 58 && atB[40] == 128)   // B presents the peer's new flow as IPv6
        #expect(P.checksum(P.ipv6PseudoHeader(Self.hitA, Self.hitB, length: atB.count - 40, nextHeader: 58),
                           Array(atB[40...])) == 0)
        // B's kernel answers over IPv6; A recorded the flow as LSI-based, so A's app sees IPv4.
        var reply = Array(atB[40...])
        reply[0] = 129
        let replyV6 = P.ipv6(Self.hitB, Self.hitA, nextHeader: 58, segment: reply, checksumOffset: 2)
        let atA = try a.receive(try b.send(replyV6), hopLimit: 63)
        #expect(atA[0] == 0x45 && atA[9] == 1 && atA[8] == 63 && atA[20] == 0)
        #expect(Array(atA[12..<20]) == P.be32(P.lsiB) + P.be32(P.lsiA))
        #expect(P.checksum(Array(atA[0..<20])) == 0 && P.checksum(Array(atA[20...])) == 0)
        #expect(Array(atA[24...]) == Array(request[24...]))   // identifier, sequence and data unchanged
        // Once A's app talks to B's HIT on that flow, replies come back as IPv6 again.
        let overHIT = P.ipv6(Self.hitA, Self.hitB, nextHeader: 58, segment: P.icmpEcho(type: 128, identifier: 0x77,
                             sequence: 2, data: []), checksumOffset: 2)
        _ = try a.send(overHIT)
        #expect(try a.receive(try b.send(replyV6))[0] >> 4 == 6)
    }

    @Test("TCP over LSIs: checksums valid at each end")
    func lsiTCP() throws {
        let (a, b) = try Self.pair(.aes128CBCSHA256)
        let segment = P.tcp(source: 40001, destination: 5201, data: Array(repeating: 0x5A, count: 999))
        let atB = try b.receive(try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: segment, checksumOffset: 16)))
        #expect(P.checksum(P.ipv6PseudoHeader(Self.hitA, Self.hitB, length: segment.count, nextHeader: 6),
                           Array(atB[40...])) == 0)
        let answer = P.ipv6(Self.hitB, Self.hitA, nextHeader: 6,
                            segment: P.tcp(source: 5201, destination: 40001, data: [1, 2, 3]), checksumOffset: 16)
        let atA = try a.receive(try b.send(answer))
        #expect(atA[0] == 0x45)
        #expect(P.checksum(P.ipv4PseudoHeader(P.lsiB, P.lsiA, length: atA.count - 20, protocol: 6), Array(atA[20...])) == 0)
    }

    /// Answers from a fixed set of IPv4-only ports and records every question.
    final class PortPolicy: InboundFlowPolicy {
        let ipv4Ports: Set<[Int]>
        var questions: [(FlowTransport, UInt16)] = []

        init(tcp: [Int] = [], udp: [Int] = []) {
            ipv4Ports = Set(tcp.map { [0, $0] } + udp.map { [1, $0] })
        }

        func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16) -> Bool {
            questions.append((transport, localPort))
            return ipv4Ports.contains([transport == .tcp ? 0 : 1, Int(localPort)])
        }
    }

    /// Whether `packet` is IPv4 from `source` to `destination` with valid header and transport checksums.
    static func isIPv4(_ packet: [UInt8], from source: UInt32, to destination: UInt32) -> Bool {
        packet.count > 20 && packet[0] == 0x45 && Array(packet[12..<20]) == P.be32(source) + P.be32(destination)
            && P.checksum(Array(packet[0..<20])) == 0
            && P.checksum(P.ipv4PseudoHeader(source, destination, length: packet.count - 20, protocol: packet[9]),
                          Array(packet[20...])) == 0
    }

    @Test("a flow the peer starts towards an IPv4-only port arrives over the LSIs and stays IPv4 both ways")
    func peerStartedFlowsOverLSI() throws {
        var (a, b) = try Self.pair()
        let policy = PortPolicy(tcp: [5001], udp: [6000])
        b.policy = policy
        func tcp(_ source: Int, _ destination: Int, flags: UInt8, data: [UInt8] = []) -> [UInt8] {
            P.tcp(source: source, destination: destination, data: data, flags: flags)
        }
        // A's application connects to B's LSI: the SYN reaches B as IPv4 between the LSIs.
        let syn = P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: tcp(40000, 5001, flags: 0x02), checksumOffset: 16)
        let synAtB = try b.receive(try a.send(syn))
        #expect(Self.isIPv4(synAtB, from: P.lsiA, to: P.lsiB))
        #expect(Array(synAtB[20...]) == Array(syn[20...]))   // the segment is the original one
        #expect(policy.questions.map(\.0) == [.tcp] && policy.questions.map(\.1) == [5001])
        // B's listener answers over IPv4; A's application sees IPv4 too.
        let synAck = P.ipv4(P.lsiB, P.lsiA, protocol: 6, segment: tcp(5001, 40000, flags: 0x12), checksumOffset: 16)
        #expect(Self.isIPv4(try a.receive(try b.send(synAck)), from: P.lsiB, to: P.lsiA))
        // The rest of the flow stays IPv4 at B without asking again.
        let data = P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: tcp(40000, 5001, flags: 0x18, data: Array(0..<100)),
                          checksumOffset: 16)
        let dataAtB = try b.receive(try a.send(data))
        #expect(Self.isIPv4(dataAtB, from: P.lsiA, to: P.lsiB) && Array(dataAtB[20...]) == Array(data[20...]))
        #expect(policy.questions.count == 1)

        // A SYN to a port the policy keeps on IPv6 arrives as IPv6; segments that start no flow (ACK,
        // SYN+ACK, a short header) are not asked about.
        let other = try b.receive(try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: tcp(40001, 5002, flags: 0x02),
                                                    checksumOffset: 16)))
        #expect(other[0] >> 4 == 6 && other[6] == 6)
        #expect(policy.questions.count == 2 && policy.questions[1].1 == 5002)
        for flags: UInt8 in [0x10, 0x12] {
            let atB = try b.receive(try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: tcp(40002, 5001, flags: flags),
                                                      checksumOffset: 16)))
            #expect(atB[0] >> 4 == 6)
        }
        #expect(policy.questions.count == 2)

        // UDP: A's application uses B's HIT, B's socket is IPv4-only: B gets IPv4, A keeps IPv6.
        let datagram = P.ipv6(Self.hitA, Self.hitB, nextHeader: 17, segment: P.udp(source: 7000, destination: 6000,
                                                                                 data: [1, 2, 3]), checksumOffset: 6)
        let datagramAtB = try b.receive(try a.send(datagram))
        #expect(Self.isIPv4(datagramAtB, from: P.lsiA, to: P.lsiB))
        #expect(policy.questions.count == 3 && policy.questions[2].0 == .udp && policy.questions[2].1 == 6000)
        let answer = P.ipv4(P.lsiB, P.lsiA, protocol: 17, segment: P.udp(source: 6000, destination: 7000, data: [4]),
                            checksumOffset: 6)
        let answerAtA = try a.receive(try b.send(answer))
        #expect(answerAtA[0] >> 4 == 6)
        #expect(P.checksum(P.ipv6PseudoHeader(Self.hitB, Self.hitA, length: answerAtA.count - 40, nextHeader: 17),
                           Array(answerAtA[40...])) == 0)
        #expect(Self.isIPv4(try b.receive(try a.send(datagram)), from: P.lsiA, to: P.lsiB))
        #expect(policy.questions.count == 3)
        // Without a policy the peer's new flows arrive as IPv6 (as before).
        b.policy = nil
        let plain = try b.receive(try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 6, segment: tcp(40003, 5001, flags: 0x02),
                                                    checksumOffset: 16)))
        #expect(plain[0] >> 4 == 6)
    }

    @Test("replayed, tampered, unknown-SPI and stale packets are dropped and counted")
    func inboundDrops() throws {
        let (a, b) = try Self.pair()
        let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 59, segment: [], checksumOffset: nil)
        let first = try a.send(packet)
        #expect(try b.receive(first) == packet)
        #expect(throws: DataPlaneError.replayed) { try b.receive(first) }
        var tampered = try a.send(packet)
        tampered[20] ^= 0x80
        #expect(throws: DataPlaneError.authentication) { try b.receive(tampered) }
        var unknown = first
        unknown[0] ^= 0xFF
        #expect(throws: DataPlaneError.unknownSPI) { try b.receive(unknown) }
        #expect(throws: DataPlaneError.truncated) { try b.receive([1, 2, 3]) }
        // A packet from left of the window: send it, then 3000 more, then deliver it late.
        let late = try a.send(packet)
        for _ in 0..<3000 { _ = try b.receive(try a.send(packet)) }
        #expect(throws: DataPlaneError.tooOld) { try b.receive(late) }
        let counters = try #require(b.database.inbound(spi: Self.spiAB)?.counters)
        #expect(counters.drops(.replay) == 2)
        #expect(counters.drops(.authenticationFailed) == 1)
        #expect(counters.packetsIn == 3001)
        #expect(b.database.inboundCounters.drops(.unknownSPI) == 1)
        #expect(b.database.inboundCounters.drops(.malformed) == 1)
    }

    @Test("malformed, fragmented, spoofed and SA-less inner packets are dropped with a counter")
    func outboundDrops() throws {
        let (a, _) = try Self.pair()
        let echo = P.icmpEcho(type: 8, identifier: 1, sequence: 1, data: [])
        #expect(throws: DataPlaneError.fragment) {
            try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: echo, flags: 0x2000, checksumOffset: 2))
        }
        #expect(throws: DataPlaneError.badSource) {
            try a.send(P.ipv4(0x0100_0009, P.lsiB, protocol: 1, segment: echo, checksumOffset: 2))
        }
        #expect(throws: DataPlaneError.badSource) {
            try a.send(P.ipv6(HIT("2001:20::99")!, Self.hitB, nextHeader: 59, segment: [], checksumOffset: nil))
        }
        #expect(throws: DataPlaneError.unsupportedICMP) {
            try a.send(P.ipv4(P.lsiA, P.lsiB, protocol: 1, segment: [11, 0, 0, 0, 0, 0, 0, 0], checksumOffset: 2))
        }
        var truncated = P.ipv6(Self.hitA, Self.hitB, nextHeader: 59, segment: [1, 2], checksumOffset: nil)
        truncated[5] = 9
        #expect(throws: DataPlaneError.badLength) { try a.send(truncated) }
        // No SA: the packet is reported untouched so the node can queue it.
        let toStranger = P.ipv6(Self.hitA, HIT("2001:20::77")!, nextHeader: 59, segment: [], checksumOffset: nil)
        #expect(throws: DataPlaneError.noSA) { try a.send(toStranger) }
        #expect(throws: DataPlaneError.noSA) {
            try a.send(P.ipv4(P.lsiA, 0x0100_0077, protocol: 1, segment: echo, checksumOffset: 2))
        }
        #expect(throws: DataPlaneError.badIPVersion) { try a.send([0x20, 0, 0, 0]) }
        let counters = try #require(a.database.outbound(peer: Self.hitB)?.counters)
        #expect(counters.drops(.fragment) == 1)
        #expect(counters.drops(.malformed) == 3)   // two spoofed sources, one bad length
        #expect(counters.drops(.untranslatable) == 1)
        #expect(counters.packetsOut == 0)
        #expect(a.database.outboundCounters.drops(.noSecurityAssociation) == 2)
        #expect(a.database.outboundCounters.drops(.malformed) == 1)   // the bad IP version
        // A buffer without tailroom for the ESP trailer.
        let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 59, segment: [], checksumOffset: nil)
        #expect(throws: DataPlaneError.noRoom) {
            try P.inBuffer(packet, tailroom: 4) { buffer, offset, length in
                try a.outbound.process(buffer, offset: offset, length: length)
            }
        }
        #expect(a.database.outbound(peer: Self.hitB)?.counters.drops(.tooBig) == 1)
    }

    @Test("lookups by SPI, HIT and LSI; replacing and removing SAs")
    func database() throws {
        let (a, _) = try Self.pair()
        let keys = ESPKeys(encryption: SecretBytes(Array(repeating: 1, count: 20)), authentication: SecretBytes([]))
        #expect(a.database.inbound(spi: Self.spiBA)?.spi == Self.spiBA)
        #expect(a.database.inbound(spi: Self.spiAB) == nil)
        #expect(a.database.outbound(peer: Self.hitB)?.tag == 7)
        #expect(a.database.outbound(lsi: P.lsiB) === a.database.outbound(peer: Self.hitB))
        #expect(a.database.outbound(lsi: P.lsiA) == nil)
        let rekeyed = try a.database.installOutbound(spi: 0x3333, suite: .aesGCM16, keys: keys,
                                                     endpoints: SAEndpoints(ownHIT: Self.hitA, peerHIT: Self.hitB))
        #expect(a.database.outbound(peer: Self.hitB) === rekeyed)
        #expect(a.database.outbound(lsi: P.lsiB) == nil)            // the new SA has no LSI
        #expect(a.database.outboundSAs.count == 1)
        #expect(a.database.removeOutbound(peer: Self.hitB) === rekeyed)
        #expect(a.database.outbound(peer: Self.hitB) == nil)
        #expect(a.database.removeInbound(spi: Self.spiBA)?.spi == Self.spiBA)
        #expect(a.database.inboundSAs.isEmpty)
        #expect(throws: CryptoError.self) {
            try a.database.installInbound(spi: 1, suite: .aes128CBCSHA256, keys: keys,
                                          endpoints: SAEndpoints(ownHIT: Self.hitA, peerHIT: Self.hitB))
        }
    }

    @Test("sequence numbers count from 1 per outbound SA")
    func sequenceNumbers() throws {
        let (a, _) = try Self.pair()
        let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 59, segment: [], checksumOffset: nil)
        for expected in UInt64(1)...5 {
            let sealed = try P.inBuffer(packet) { try a.outbound.process($0, offset: $1, length: $2) }
            #expect(sealed.sequence == expected && sealed.spi == Self.spiAB && sealed.tag == 7)
        }
    }

    @Test("batches: every packet sealed, opened and dropped in place with metadata")
    func batches() throws {
        let (a, b) = try Self.pair()
        let batch = PacketBatch(capacity: 8)
        var originals: [[UInt8]] = []
        for index in 0..<8 {
            let packet = index == 5
                ? P.ipv6(Self.hitA, HIT("2001:20::55")!, nextHeader: 59, segment: [], checksumOffset: nil)
                : P.ipv6(Self.hitA, Self.hitB, nextHeader: 17,
                         segment: P.udp(source: index, destination: 9, data: Array(repeating: UInt8(index), count: 100 * index)),
                         checksumOffset: 6)
            originals.append(packet)
            let buffer = batch.buffer(at: index)
            UnsafeMutableRawBufferPointer(rebasing: buffer[DataPlaneLimits.headroom...]).copyBytes(from: packet)
            batch.setPacket(index, offset: DataPlaneLimits.headroom, length: packet.count)
        }
        batch.count = 8
        a.outbound.process(batch)
        #expect(batch[metadata: 5].drop == .noSecurityAssociation)
        #expect(batch[metadata: 0].spi == Self.spiAB && batch[metadata: 0].peer == 7)
        // Hand the sealed packets to B as if received: same buffers, ESP windows.
        b.inbound.process(batch, hopLimit: 64)
        for index in 0..<8 where index != 5 {
            #expect(batch[metadata: index].drop == nil)
            #expect(Array(batch.packet(at: index)) == originals[index], "packet \(index)")
            #expect(batch[metadata: index].sequence == UInt64(index < 5 ? index + 1 : index))
        }
        #expect(batch[metadata: 5].drop == .unknownSPI)   // the untouched IPv6 bytes do not name an SA
    }

    @Test("parallel batches on three worker contexts: every packet in order, a duplicate in the same batch dropped",
          arguments: [ESPSuiteID.aesGCM16, .aes128CBCSHA256])
    func parallelBatches(suite: ESPSuiteID) throws {
        let (a, b) = try Self.pair(suite, workers: 3)
        var generator = SeededGenerator(seed: 5)
        for round in 0..<4 {
            let batch = PacketBatch(capacity: 32)
            var originals: [[UInt8]] = []
            for index in 0..<32 {
                let packet = P.ipv6(Self.hitA, Self.hitB, nextHeader: 17,
                                    segment: P.udp(source: index, destination: round, data: generator.bytes(37 * index)),
                                    checksumOffset: 6)
                originals.append(packet)
                UnsafeMutableRawBufferPointer(rebasing: batch.buffer(at: index)[DataPlaneLimits.headroom...]).copyBytes(from: packet)
                batch.setPacket(index, offset: DataPlaneLimits.headroom, length: packet.count)
            }
            batch.count = 32
            a.outbound.process(batch)
            for index in 0..<32 {
                #expect(batch[metadata: index].drop == nil)
                #expect(batch[metadata: index].sequence == UInt64(round * 32 + index + 1))
            }
            // Packet 31 becomes a copy of packet 30 (same SPI and sequence number): a replay inside the batch.
            let duplicate = Array(batch.packet(at: 30))
            UnsafeMutableRawBufferPointer(rebasing: batch.buffer(at: 31)[batch.offset(of: 31)...]).copyBytes(from: duplicate)
            batch.setPacket(31, offset: batch.offset(of: 31), length: duplicate.count)
            b.inbound.process(batch, hopLimit: 64)
            for index in 0..<31 {
                #expect(batch[metadata: index].drop == nil)
                #expect(Array(batch.packet(at: index)) == originals[index], "round \(round) packet \(index)")
            }
            #expect(batch[metadata: 31].drop == .replay)
        }
        #expect(a.database.outbound(peer: Self.hitB)?.counters.packetsOut == 128)
        #expect(b.database.inbound(spi: Self.spiAB)?.counters.packetsIn == 124)
        #expect(b.database.inbound(spi: Self.spiAB)?.counters.drops(.replay) == 4)
    }
}

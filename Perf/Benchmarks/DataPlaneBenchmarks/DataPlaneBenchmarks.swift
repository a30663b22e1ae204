// Data-plane benchmarks (package-benchmark): one iteration = one batch of 32 packets of 1400 payload
// bytes. Throughput is batches per second (× 32 for packets); mallocs are per batch and must be 0.
// Run: cd Perf && swift package --allow-writing-to-package-directory benchmark --target DataPlaneBenchmarks
//
//   ESP seal  <suite>   ESPSealer.seal in place on 32 PacketBatch buffers (new sequence numbers each batch)
//   ESP open  <suite>   ESPOpener.open on 32 sealed packets (restored with one memcpy per packet first)
//   data path <suite>   OutboundProcessor (BEET strip, SA lookup, seal) then InboundProcessor (SPI lookup,
//                       replay check, open, rebuild) on a PacketBatch: one host's send + the peer's receive;
//                       "on 2 workers": the same with two contexts per SA (one StageWorkers Dispatch queue)
//   TSO split           SuperPacket: one 64 KiB TCP read from the TUN (IPv6, timestamps, MSS 1428) cut into
//                       its 46 segments, each written into a PacketBatch slot with full checksums
//   TSO split+coalesce  the same, then TCPCoalescer on those 46 segments as the outside path has them (one
//                       group: flow table, checksum check, head rewritten): the coalescing costs the difference
//   relay forward       a Data Relay's per-datagram decision, as the node's outside path makes it, on 32 ESP
//                       datagrams from 32 sources: classify (UDPPayload), miss in the SADatabase's inbound
//                       half (one SA of our own), hit in a RelayTable of 1024 clients' routes (by SPI and
//                       source: 2048 entries); the send (sendmmsg of the receive batch's slots) is not in it

import Benchmark
import HIPCrypto
import HIPWire
import SynapticDataPlane

let batchSize = 32
let payloadLength = 1400
let suites: [(ESPSuiteID, String)] = [(.aesGCM16, "13 AES-128-GCM"), (.aes128CBCSHA256, "8 AES-128-CBC+HMAC-SHA-256")]

func keys(_ suite: ESPSuiteID) -> ESPKeys {
    ESPKeys(encryption: SecretBytes((0..<suite.encryptionKeyLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }),
            authentication: SecretBytes((0..<suite.authenticationKeyLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 5) }))
}

/// Benchmark closures run on one thread at a time; the harness only needs to hand state to them.
final class Fixture: @unchecked Sendable {
    let suite: ESPSuiteID
    let sealer: ESPSealer
    let opener: ESPOpener
    let work = PacketBatch(capacity: batchSize)
    let sealed = PacketBatch(capacity: batchSize)
    var sequence: UInt64 = 0

    init(suite: ESPSuiteID) throws {
        self.suite = suite
        sealer = try ESPSealer(suite: suite, keys: keys(suite))
        opener = try ESPOpener(suite: suite, keys: keys(suite))
        for index in 0..<batchSize {
            let buffer = sealed.buffer(at: index)
            for byte in 0..<payloadLength { buffer[DataPlaneLimits.headroom + suite.headerLength + byte] = UInt8(truncatingIfNeeded: byte) }
            let length = try sealer.seal(UnsafeMutableRawBufferPointer(rebasing: buffer[DataPlaneLimits.headroom...]),
                                         payloadLength: payloadLength, nextHeader: 17, spi: 0x1234, sequence: UInt64(index + 1))
            sealed.setPacket(index, offset: DataPlaneLimits.headroom, length: length)
        }
        sealed.count = batchSize
    }

    func sealBatch() throws {
        for index in 0..<batchSize {
            sequence &+= 1
            let buffer = work.buffer(at: index)
            let length = try sealer.seal(UnsafeMutableRawBufferPointer(rebasing: buffer[DataPlaneLimits.headroom...]),
                                         payloadLength: payloadLength, nextHeader: 17, spi: 0x1234, sequence: sequence)
            blackHole(length)
        }
    }

    func openBatch() throws {
        for index in 0..<batchSize {
            let target = work.buffer(at: index)
            let source = sealed.packet(at: index)
            let packet = UnsafeMutableRawBufferPointer(rebasing: target[DataPlaneLimits.headroom..<DataPlaneLimits.headroom + source.count])
            packet.copyMemory(from: UnsafeRawBufferPointer(source))
            blackHole(try opener.open(packet, sequence: UInt64(index + 1)))
        }
    }
}

/// Two hosts' databases with one SA pair, and a batch of inner IPv6 packets between their HITs.
final class PathFixture: @unchecked Sendable {
    let sender: SADatabase
    let receiver: SADatabase
    let flows = LSIFlowTable()
    let batch = PacketBatch(capacity: batchSize)

    init(suite: ESPSuiteID, workers: Int) throws {
        sender = SADatabase(workers: workers)
        receiver = SADatabase(workers: workers)
        guard let own = HIT("2001:20::1"), let peer = HIT("2001:20::2") else { fatalError("setup") }
        try sender.installOutbound(spi: 0x1234, suite: suite, keys: keys(suite),
                                   endpoints: SAEndpoints(ownHIT: own, peerHIT: peer))
        try receiver.installInbound(spi: 0x1234, suite: suite, keys: keys(suite),
                                    endpoints: SAEndpoints(ownHIT: peer, peerHIT: own))
        let header: [UInt8] = [0x60, 0, 0, 0, UInt8(payloadLength >> 8), UInt8(payloadLength & 0xFF), 17, 64]
            + own.bytes + peer.bytes
        for index in 0..<batchSize {
            let buffer = batch.buffer(at: index)
            for (offset, byte) in header.enumerated() { buffer[DataPlaneLimits.headroom + offset] = byte }
            batch.setPacket(index, offset: DataPlaneLimits.headroom, length: 40 + payloadLength)
        }
        batch.count = batchSize
        roundTrip()
        for index in 0..<batchSize where batch[metadata: index].drop != nil { fatalError("round trip dropped a packet") }
    }

    func roundTrip() {
        OutboundProcessor(database: sender, flows: flows).process(batch)
        InboundProcessor(database: receiver, flows: flows).process(batch, hopLimit: 64)
    }
}

/// An address like the node's SocketAddress (IPv4 or IPv6 and a port), for the relay table's keys.
struct RelayAddress: Hashable, Sendable {
    enum Host: Hashable, Sendable {
        case v4(UInt32)
        case v6(UInt64, UInt64)
    }

    var host: Host
    var port: UInt16
}

/// A relay's tables (its own inbound SA, 1024 clients' routes) and a batch of 32 ESP datagrams that
/// routes match, each with its source.
final class RelayFixture: @unchecked Sendable {
    static let clients = 1024
    let database = SADatabase()
    var table = RelayTable<RelayAddress>()
    let batch = PacketBatch(capacity: batchSize)
    var sources: [RelayAddress] = []
    /// Where each datagram of the last run went.
    var destinations: [RelayAddress?] = Array(repeating: nil, count: batchSize)

    init() throws {
        guard let own = HIT("2001:20::1"), let peer = HIT("2001:20::2") else { fatalError("setup") }
        try database.installInbound(spi: 0x1234, suite: .aesGCM16, keys: keys(.aesGCM16),
                                    endpoints: SAEndpoints(ownHIT: own, peerHIT: peer))
        var routes: [(client: RelayAddress, peer: RelayAddress, toClientSPI: UInt32, toPeerSPI: UInt32)] = []
        for index in 0..<Self.clients {
            let client = RelayAddress(host: .v4(0xC612_0000 | UInt32(index)), port: 40000 + UInt16(index))
            let peer = RelayAddress(host: .v6(0x2001_0db8_0000_0000, UInt64(index)), port: 10500)
            let route = (client, peer, UInt32(0x1_0000 + 2 * index), UInt32(0x1_0001 + 2 * index))
            routes.append(route)
            guard let hit = HIT(bytes: [0x20, 0x01, 0x00, 0x2a] + [UInt8](repeating: 0, count: 10)
                                + [UInt8(index >> 8), UInt8(index & 0xFF)]) else { fatalError("HIT") }
            table.replace(client: hit, routes: [.init(client: client, peer: peer, toClientSPI: route.2, toPeerSPI: route.3)])
        }
        // Datagrams of 32 routes spread over the table, alternately from the peer and from the client.
        for index in 0..<batchSize {
            let route = routes[index * (Self.clients / batchSize)]
            let (spi, source) = index % 2 == 0 ? (route.toClientSPI, route.peer) : (route.toPeerSPI, route.client)
            let buffer = batch.buffer(at: index)
            buffer.storeBytes(of: spi.bigEndian, toByteOffset: DataPlaneLimits.headroom, as: UInt32.self)
            buffer.storeBytes(of: UInt32(1).bigEndian, toByteOffset: DataPlaneLimits.headroom + 4, as: UInt32.self)
            batch.setPacket(index, offset: DataPlaneLimits.headroom, length: payloadLength)
            sources.append(source)
        }
        batch.count = batchSize
        forward()
        for destination in destinations where destination == nil { fatalError("a datagram matched no route") }
    }

    /// Decides where each datagram of the batch goes.
    func forward() {
        for index in 0..<batchSize {
            guard case .esp(let spi) = UDPPayload.classify(UnsafeRawBufferPointer(batch.packet(at: index))),
                  database.inbound(spi: spi) == nil else { continue }
            destinations[index] = table.destination(spi: spi, from: sources[index])
        }
    }
}

/// A 64 KiB TSO read and the batch its segments are written into (and coalesced in).
final class OffloadFixture: @unchecked Sendable {
    static let segmentSize = 1428
    let read: [UInt8]
    let batch = PacketBatch(capacity: 64)
    let coalescer = TCPCoalescer(capacity: 64)

    init() throws {
        guard let own = HIT("2001:20::1"), let peer = HIT("2001:20::2") else { fatalError("setup") }
        let payload = (0..<(65535 - 40 - 32)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let options: [UInt8] = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]
        let tcp: [UInt8] = [0x9C, 0x40, 0x13, 0x89, 0, 0, 0x10, 0, 0, 0, 0, 9, 0x80, 0x18, 0x04, 0, 0, 0, 0, 0]
            + options + payload
        let length = tcp.count
        let ipv6: [UInt8] = [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), 6, 64] + own.bytes + peer.bytes
        let size = Self.segmentSize
        let header: [UInt8] = [1, 4, 72, 0, UInt8(size & 0xFF), UInt8(size >> 8), 40, 0, 16, 0]
        read = header + ipv6 + tcp
        split()
        coalescer.coalesce(batch)
        guard batch.count == 46, coalescer.packetCount(0) == 46 else { fatalError("the segments did not coalesce") }
    }

    /// Cuts the read into the batch's slots.
    func split() {
        read.withUnsafeBytes { bytes in
            guard let superPacket = try? SuperPacket(parsing: bytes, maximumSegmentLength: batch.readArea(at: 0).count) else {
                fatalError("read does not parse")
            }
            for index in 0..<superPacket.segmentCount {
                batch.setRead(index, length: superPacket.write(segment: index, into: batch.readArea(at: index)))
            }
            batch.count = superPacket.segmentCount
        }
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 50,
        maxDuration: .seconds(3),
        maxIterations: 20_000)

    let offload = try? OffloadFixture()
    Benchmark("TSO split, 64 KiB TCP read into 46 segments of 1428 B") { benchmark in
        guard let offload else { fatalError("fixture") }
        for _ in benchmark.scaledIterations { offload.split() }
    }
    Benchmark("TSO split and TCP coalesce, 64 KiB read, 46 segments") { benchmark in
        guard let offload else { fatalError("fixture") }
        for _ in benchmark.scaledIterations {
            offload.split()
            offload.coalescer.coalesce(offload.batch)
        }
    }

    let relay = try? RelayFixture()
    Benchmark("relay forward decision, 1024 clients' routes, batch of 32 × 1400 B") { benchmark in
        guard let relay else { fatalError("fixture") }
        for _ in benchmark.scaledIterations { relay.forward() }
        blackHole(relay.destinations)
    }

    for (suite, name) in suites {
        let fixture = try? Fixture(suite: suite)
        let path = try? PathFixture(suite: suite, workers: 1)
        let parallelPath = try? PathFixture(suite: suite, workers: 2)
        Benchmark("ESP seal, suite \(name), batch of 32 × 1400 B") { benchmark in
            guard let fixture else { fatalError("fixture") }
            for _ in benchmark.scaledIterations { try fixture.sealBatch() }
        }
        Benchmark("ESP open, suite \(name), batch of 32 × 1400 B") { benchmark in
            guard let fixture else { fatalError("fixture") }
            for _ in benchmark.scaledIterations { try fixture.openBatch() }
        }
        Benchmark("data path send+receive, suite \(name), batch of 32 × 1400 B") { benchmark in
            guard let path else { fatalError("fixture") }
            for _ in benchmark.scaledIterations { path.roundTrip() }
        }
        Benchmark("data path send+receive on 2 workers, suite \(name), batch of 32 × 1400 B") { benchmark in
            guard let parallelPath else { fatalError("fixture") }
            for _ in benchmark.scaledIterations { parallelPath.roundTrip() }
        }
    }
}

// Data-plane benchmarks (package-benchmark): one iteration = one batch of 32 packets of 1400 payload
// bytes. Throughput is batches per second (× 32 for packets); mallocs are per batch and must be 0.
// Run: cd Perf && swift package --allow-writing-to-package-directory benchmark --target DataPlaneBenchmarks
//
//   ESP seal  <suite>   ESPSealer.seal in place on 32 slab buffers (new sequence numbers each batch)
//   ESP open  <suite>   ESPOpener.open on 32 sealed packets (restored with one memcpy per packet first)
//   data path <suite>   OutboundProcessor (BEET strip, SA lookup, seal) then InboundProcessor (SPI lookup,
//                       replay check, open, rebuild) on a PacketBatch: one host's send + the peer's receive;
//                       "on 2 workers": the same with two contexts per SA (one StageWorkers Dispatch queue)

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
    let slab = PacketSlab(batchCount: 2, batchCapacity: batchSize)
    let work: PacketBatch
    let sealed: PacketBatch
    var sequence: UInt64 = 0

    init(suite: ESPSuiteID) throws {
        self.suite = suite
        sealer = try ESPSealer(suite: suite, keys: keys(suite))
        opener = try ESPOpener(suite: suite, keys: keys(suite))
        guard let work = slab.take(), let sealed = slab.take() else { fatalError("slab too small") }
        self.work = work
        self.sealed = sealed
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
    let slab = PacketSlab(batchCount: 1, batchCapacity: batchSize)
    let batch: PacketBatch

    init(suite: ESPSuiteID, workers: Int) throws {
        sender = SADatabase(workers: workers)
        receiver = SADatabase(workers: workers)
        guard let own = HIT("2001:20::1"), let peer = HIT("2001:20::2"), let batch = slab.take() else { fatalError("setup") }
        try sender.installOutbound(spi: 0x1234, suite: suite, keys: keys(suite),
                                   endpoints: SAEndpoints(ownHIT: own, peerHIT: peer))
        try receiver.installInbound(spi: 0x1234, suite: suite, keys: keys(suite),
                                    endpoints: SAEndpoints(ownHIT: peer, peerHIT: own))
        self.batch = batch
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

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 50,
        maxDuration: .seconds(3),
        maxIterations: 20_000)

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

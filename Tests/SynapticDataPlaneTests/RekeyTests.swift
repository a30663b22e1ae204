// Rekeying in the data plane (RFC 7402 §6): when an SA is due, where an outbound SA stops, and a rekey's
// SA swap — the new inbound SA next to the old one, the new outbound SA replacing the old one between
// two batches — losing no packet and sealing none with a replaced SA.
import HIPCrypto
import HIPWire
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("Rekeying: thresholds, sequence limit, SA swap")
struct RekeyTests {
    typealias P = TestPackets
    static let spiNew: UInt32 = 0x3000_0003

    @Test("thresholds are reached by payload bytes or by the sequence limit; the last sequence number saturates")
    func thresholds() {
        let defaults = RekeyThresholds()
        #expect(defaults.afterBytes == nil && defaults.sequenceLimit == UInt64.max - UInt64(UInt32.max))
        #expect(!defaults.isReached(bytes: .max, sequence: defaults.sequenceLimit - 1))
        #expect(defaults.isReached(bytes: 0, sequence: defaults.sequenceLimit))
        #expect(defaults.lastSequence == defaults.sequenceLimit + (1 << 31))
        let byBytes = RekeyThresholds(afterBytes: 1000, sequenceLimit: 50)
        #expect(!byBytes.isReached(bytes: 999, sequence: 49))
        #expect(byBytes.isReached(bytes: 1000, sequence: 1) && byBytes.isReached(bytes: 0, sequence: 50))
        #expect(RekeyThresholds(sequenceLimit: .max - 5).lastSequence == .max)
    }

    /// Seals `count` copies of a small packet from A to B one at a time with `processor`; the results.
    static func seal(_ count: Int, with processor: OutboundProcessor) -> [Result<SealedPacket, DataPlaneError>] {
        let packet = P.ipv6(DataPathTests.hitA, DataPathTests.hitB, nextHeader: 59, segment: [], checksumOffset: nil)
        return (0..<count).map { _ in
            P.inBuffer(packet) { buffer, offset, length in
                Result { () throws(DataPlaneError) in try processor.process(buffer, offset: offset, length: length) }
            }
        }
    }

    @Test("an outbound SA stops 2^31 past its rekey limit, counting the drops, and never reuses a number")
    func hardStopPastTheLimit() throws {
        let (a, _) = try DataPathTests.pair()
        let thresholds = RekeyThresholds(sequenceLimit: 1 << 40)
        let endpoints = SAEndpoints(ownHIT: DataPathTests.hitA, peerHIT: DataPathTests.hitB)
        let association = try a.database.installOutbound(spi: Self.spiNew, suite: .aesGCM16, keys: ESPTransformTests.keys(.aesGCM16),
                                                         endpoints: endpoints, initialSequence: thresholds.lastSequence - 1)
        let processor = OutboundProcessor(database: a.database, flows: a.flows, thresholds: thresholds)
        let results = Self.seal(4, with: processor)
        #expect(try results[0].get().sequence == thresholds.lastSequence - 1)
        #expect(try results[1].get().sequence == thresholds.lastSequence)
        #expect(results[2...].allSatisfy { (try? $0.get()) == nil })
        #expect(association.counters.drops(.sequenceExhausted) == 2 && association.counters.packetsOut == 2)
        #expect(association.nextSequence == thresholds.lastSequence + 1)
        // Raising the limit (SIGHUP) lets it go on with the next number, not an earlier one.
        let raised = OutboundProcessor(database: a.database, flows: a.flows, thresholds: RekeyThresholds(sequenceLimit: 1 << 41))
        #expect(try Self.seal(1, with: raised)[0].get().sequence == thresholds.lastSequence + 1)

        // At the end of the 64-bit space: 2^64 − 1 is the last number, then nothing.
        let last = try a.database.installOutbound(spi: Self.spiNew + 1, suite: .aesGCM16, keys: ESPTransformTests.keys(.aesGCM16),
                                                  endpoints: endpoints, initialSequence: .max - 1)
        let end = OutboundProcessor(database: a.database, flows: a.flows, thresholds: RekeyThresholds(sequenceLimit: .max - 10))
        let sealed = Self.seal(3, with: end).compactMap { try? $0.get().sequence }
        #expect(sealed == [.max - 1, .max])
        #expect(last.nextSequence == 0 && last.counters.drops(.sequenceExhausted) == 1)
    }

    /// Fills `batch` with `count` UDP packets from A to B (payload byte `marker`); their bytes.
    static func fill(_ batch: PacketBatch, count: Int, marker: UInt8) -> [[UInt8]] {
        var originals: [[UInt8]] = []
        for index in 0..<count {
            let packet = P.ipv6(DataPathTests.hitA, DataPathTests.hitB, nextHeader: 17,
                                segment: P.udp(source: index, destination: 9, data: Array(repeating: marker, count: 50 + index)),
                                checksumOffset: 6)
            originals.append(packet)
            UnsafeMutableRawBufferPointer(rebasing: batch.buffer(at: index)[DataPlaneLimits.headroom...]).copyBytes(from: packet)
            batch.setPacket(index, offset: DataPlaneLimits.headroom, length: packet.count)
        }
        batch.count = count
        return originals
    }

    @Test("rekey: the new inbound SA opens next to the old one; the new outbound SA replaces the old one between batches",
          arguments: [1, 3])
    func rekeySwap(workers: Int) throws {
        let (a, b) = try DataPathTests.pair(workers: workers)
        let (old, new, late) = (PacketBatch(capacity: 16), PacketBatch(capacity: 16), PacketBatch(capacity: 16))
        let oldOriginals = Self.fill(old, count: 16, marker: 1)
        a.outbound.process(old)
        let straggler = Array(old.packet(at: 15))

        // B installs its new inbound SA first, then A replaces its outbound SA (as the UPDATE exchange does).
        let keys = ESPTransformTests.keys(.aesGCM16)
        let fromA = SAEndpoints(ownHIT: DataPathTests.hitA, peerHIT: DataPathTests.hitB, ownLSI: P.lsiA, peerLSI: P.lsiB)
        let fromB = SAEndpoints(ownHIT: DataPathTests.hitB, peerHIT: DataPathTests.hitA, ownLSI: P.lsiB, peerLSI: P.lsiA)
        try b.database.installInbound(spi: Self.spiNew, suite: .aesGCM16, keys: keys, endpoints: fromB, tag: 9)
        let replaced = try #require(a.database.outbound(peer: DataPathTests.hitB))
        try a.database.installOutbound(spi: Self.spiNew, suite: .aesGCM16, keys: keys, endpoints: fromA, tag: 10)
        #expect(a.database.outbound(lsi: P.lsiB)?.spi == Self.spiNew)
        let newOriginals = Self.fill(new, count: 16, marker: 2)
        a.outbound.process(new)
        for index in 0..<16 {
            #expect(old[metadata: index].spi == DataPathTests.spiAB && old[metadata: index].sequence == UInt64(index + 1))
            #expect(new[metadata: index].spi == Self.spiNew && new[metadata: index].sequence == UInt64(index + 1))
            #expect(new[metadata: index].peer == 10)
        }
        #expect(replaced.counters.packetsOut == 16)

        // The new SA's packets overtake the old one's: both open, every packet arrives intact.
        b.inbound.process(new, hopLimit: 64)
        b.inbound.process(old, hopLimit: 64)
        for index in 0..<16 {
            #expect(new[metadata: index].drop == nil && Array(new.packet(at: index)) == newOriginals[index])
            #expect(old[metadata: index].drop == nil && Array(old.packet(at: index)) == oldOriginals[index])
        }
        #expect(b.database.inbound(spi: DataPathTests.spiAB)?.counters.packetsIn == 16)
        #expect(b.database.inbound(spi: Self.spiNew)?.counters.packetsIn == 16)

        // Once the old inbound SA is removed, what still comes on it is an unknown SPI; the new SA goes on.
        b.database.removeInbound(spi: DataPathTests.spiAB)
        #expect(throws: DataPlaneError.unknownSPI) { try b.receive(straggler) }
        _ = Self.fill(late, count: 2, marker: 3)
        a.outbound.process(late)
        b.inbound.process(late, hopLimit: 64)
        #expect(late[metadata: 0].drop == nil && late[metadata: 1].drop == nil && late[metadata: 1].sequence == 18)
    }
}

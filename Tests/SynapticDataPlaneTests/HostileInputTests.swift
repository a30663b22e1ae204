// Random and mutated input through both processors: never a trap, every packet either passes or is
// dropped with a counted reason.
import HIPCrypto
import HIPWire
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("Hostile input")
struct HostileInputTests {
    typealias P = TestPackets

    @Test("random bytes and mutated valid packets are dropped and counted, never trapping", arguments: ESPSuiteID.allCases)
    func randomInput(suite: ESPSuiteID) throws {
        let (a, b) = try DataPathTests.pair(suite)
        var generator = SeededGenerator(seed: 99 &+ UInt64(suite.rawValue))
        let valid = P.ipv6(DataPathTests.hitA, DataPathTests.hitB, nextHeader: 17,
                           segment: P.udp(source: 1, destination: 2, data: generator.bytes(200)), checksumOffset: 6)
        let validESP = try a.send(valid)
        var inboundFailures = 0, outboundFailures = 0
        for round in 0..<3000 {
            // Inside: random bytes, sometimes with a plausible IPv4/IPv6 first byte and our addresses.
            var inside = generator.bytes(Int.random(in: 0...300, using: &generator))
            if round % 2 == 0, inside.count >= 40 {
                inside[0] = round % 4 == 0 ? 0x60 : 0x45
                inside.replaceSubrange(8..<24, with: DataPathTests.hitA.bytes)
                inside.replaceSubrange(24..<40, with: DataPathTests.hitB.bytes)
                if round % 4 != 0 { inside.replaceSubrange(12..<20, with: P.be32(P.lsiA) + P.be32(P.lsiB)) }
            }
            do { _ = try a.send(inside) } catch { outboundFailures += 1 }
            // Outside: the valid ESP packet with a few bytes changed, truncated or extended, or random bytes.
            var outside = round % 3 == 0 ? generator.bytes(Int.random(in: 0...300, using: &generator)) : validESP
            if round % 3 != 0 {
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    outside[Int.random(in: 0..<outside.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                }
                if round % 3 == 2 { outside = Array(outside.prefix(Int.random(in: 0...outside.count, using: &generator))) }
            }
            do { _ = try b.receive(outside) } catch { inboundFailures += 1 }
        }
        let aOut = try #require(a.database.outbound(peer: DataPathTests.hitB)).counters
        let bIn = try #require(b.database.inbound(spi: DataPathTests.spiAB)).counters
        #expect(UInt64(outboundFailures) == aOut.totalDrops + a.database.outboundCounters.totalDrops)
        #expect(UInt64(inboundFailures) == bIn.totalDrops + b.database.inboundCounters.totalDrops)
        #expect(inboundFailures > 2900)       // a mutated packet only passes if the mutation missed it entirely
        #expect(bIn.packetsIn + UInt64(inboundFailures) == 3000)
    }
}

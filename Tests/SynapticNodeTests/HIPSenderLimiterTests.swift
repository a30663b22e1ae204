// HIP packets from addresses that are not known peers': a flood that claims one Sender's HIT reaches the
// core at that HIT's rate only, and does not use up another HIT's.
import HIPCore
import HIPWire
import Testing
@testable import SynapticNode

@Suite struct HIPSenderLimiterTests {
    static func i1(from sender: HIT) -> [UInt8] {
        HIPPacket(type: .i1, senderHIT: sender, receiverHIT: .null, parameters: [.dhGroupList([7])]).serialize()
    }

    @Test func aFloodClaimingOneHITIsLimitedToItsRate() throws {
        var now = Instant(nanoseconds: 1_000_000_000)
        var limiter = HIPSenderLimiter(now: now)
        let flooded = try #require(HIT("2001:20::1"))
        let bucket = { (hit: HIT) in Self.i1(from: hit).withUnsafeBytes { limiter.bucket(of: $0) } }
        let other = (2...40).compactMap { HIT("2001:20::\($0)") }.first { bucket($0) != bucket(flooded) }
        let (floodI1, otherI1) = (Self.i1(from: flooded), Self.i1(from: try #require(other)))
        // Every 100 ms 20,000 I1s claim the flooded HIT, then the other HIT sends one: the first round takes
        // the burst (one second's worth), each later one a tenth of it.
        for round in 0..<10 {
            let admitted = (0..<20_000).count { _ in floodI1.withUnsafeBytes { limiter.admit($0, now: now) } }
            let rate = NodeLimits.hipPacketsPerSenderPerSecond
            #expect(admitted == (round == 0 ? rate : rate / 10))
            #expect(otherI1.withUnsafeBytes { limiter.admit($0, now: now) })
            now = now + .milliseconds(100)
        }
        // A packet too short to name a sender is bucketed by what it has, without a trap.
        let short: [UInt8] = [0x3b, 0x04]
        _ = short.withUnsafeBytes { limiter.admit($0, now: now) }
    }
}

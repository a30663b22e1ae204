// The small value types: retransmission backoff, the rate limiter, Instant arithmetic, the SPI allocator.
import HIPWire
import Testing
@testable import HIPCore

@Suite struct PrimitiveTests {
    @Test func backoffDoublesUpToTheMaximum() {
        let policy = RetransmissionPolicy(initialTimeout: .milliseconds(500), maximumTimeout: .seconds(3), maximumRetries: 5)
        #expect((0...6).map { policy.timeout(afterAttempt: $0) } ==
                [.milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(3), .seconds(3), .seconds(3)])
        #expect(policy.totalDuration == .milliseconds(12_500))
        var timer = Retransmission(policy: policy, sentAt: .zero)
        var fired: [Duration] = []
        while timer.expire(now: timer.deadline) { fired.append(timer.deadline - .zero) }
        #expect(fired.count == 5)
        #expect(timer.attempt == 5)
    }

    @Test func rateLimiterRefills() {
        var limiter = RateLimiter(ratePerSecond: 4, now: .zero)
        var burst: [Bool] = []
        for _ in 0..<6 { burst.append(limiter.allow(now: .zero)) }
        #expect(burst == [true, true, true, true, false, false])
        let quarter = limiter.allow(now: .zero + .milliseconds(250))
        let tooSoon = limiter.allow(now: .zero + .milliseconds(260))
        #expect(quarter && !tooSoon)
        var later: [Bool] = []
        for _ in 0..<5 { later.append(limiter.allow(now: .zero + .seconds(10))) }
        #expect(later == [true, true, true, true, false])
        var closed = RateLimiter(ratePerSecond: 0, now: .zero)
        let none = closed.allow(now: .zero + .seconds(5))
        #expect(!none)
    }

    @Test func instantArithmetic() {
        let t = Instant(nanoseconds: 1_000)
        #expect(t + .microseconds(2) == Instant(nanoseconds: 3_000))
        #expect((t + .seconds(1)) - t == .seconds(1))
        #expect(t - (t + .seconds(1)) == .seconds(-1))
        #expect(Instant(nanoseconds: .max - 1) + .seconds(1) == Instant(nanoseconds: .max))
        #expect(t + .seconds(-5) == t)
    }

    @Test func spiAllocatorGivesUniqueSPIsAbove255() {
        let allocator = RandomSPIAllocator(random: SeededRandom(seed: 9))
        var seen = Set<UInt32>()
        for _ in 0..<2000 {
            guard let spi = allocator.allocate(excluding: nil) else {
                Issue.record("allocation failed")
                return
            }
            #expect(spi >= 256)
            #expect(seen.insert(spi).inserted)
        }
        #expect(allocator.allocatedCount == 2000)
        for spi in seen { allocator.release(spi) }
        #expect(allocator.allocatedCount == 0)
    }

    /// A source that only yields small values or the excluded one gives no SPI.
    @Test func spiAllocatorRespectsExclusionAndReservedRange() {
        struct Constant: RandomSource {
            let value: UInt32
            func bytes(_ count: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        }
        #expect(RandomSPIAllocator(random: Constant(value: 255)).allocate(excluding: nil) == nil)
        #expect(RandomSPIAllocator(random: Constant(value: 4096)).allocate(excluding: 4096) == nil)
        let allocator = RandomSPIAllocator(random: Constant(value: 4096))
        #expect(allocator.allocate(excluding: nil) == 4096)
        #expect(allocator.allocate(excluding: nil) == nil)   // in use
    }
}

// Unknown-SPI reports from the outside path: only from known peers' addresses; a flood from some addresses
// does not hide another address's report, and the total stays bounded when the flood comes from many.
import HIPCore
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct UnknownSPIReportLimiterTests {
    @Test func aFloodFromOtherSourcesDoesNotHideASource() throws {
        var now = Instant(nanoseconds: 1_000_000_000)
        var limiter = UnknownSPIReportLimiter(now: now)
        let peer = try #require(InetAddress("198.18.0.2"))
        // 20 flooding addresses (their reports, at most 10 a second each, fit in the total).
        let flooders = (1...30).compactMap { InetAddress("203.0.113.\($0)") }
            .filter { limiter.bucket(of: $0) != limiter.bucket(of: peer) }.prefix(20)
        #expect(flooders.count == 20)
        limiter.peerAddresses = Set(flooders + [peer])
        // Every 100 ms the flooders send 10,000 packets with unknown SPIs, then the peer sends one.
        for _ in 0..<20 {
            var reported = 0
            for index in 0..<10_000 where limiter.admit(flooders[index % flooders.count], now: now) { reported += 1 }
            #expect(reported <= 10 * flooders.count)
            let peerReported = limiter.admit(peer, now: now)
            #expect(peerReported)
            now = now + .milliseconds(100)
        }
        // The peer's own flood is limited the same way.
        var burst = 0
        for _ in 0..<100 where limiter.admit(peer, now: now) { burst += 1 }
        #expect(burst == NodeLimits.unknownSPIReportsPerSourcePerSecond)
    }

    @Test func aFloodFromManyAddressesIsBoundedInTotal() {
        let now = Instant(nanoseconds: 1_000_000_000)
        var limiter = UnknownSPIReportLimiter(now: now)
        let sources = (0..<20_000).map { InetAddress.v6(IPv6Address(high: 0x2001_0db8_0000_0000, low: UInt64($0))) }
        limiter.peerAddresses = Set(sources)
        var reported = 0
        for source in sources where limiter.admit(source, now: now) { reported += 1 }
        #expect(reported == NodeLimits.unknownSPIReportsPerSecond)
    }

    /// Only a known peer's unknown SPIs can start an exchange, so only theirs are reported: a spoofed flood
    /// from other addresses uses up nothing, and the peer is reported at once.
    @Test func unknownAddressesAreNeverReported() throws {
        let now = Instant(nanoseconds: 1_000_000_000)
        var limiter = UnknownSPIReportLimiter(now: now)
        let peer = try #require(InetAddress("198.18.0.2"))
        let beforePublished = limiter.admit(peer, now: now)
        #expect(!beforePublished)
        limiter.peerAddresses = [peer]
        let spoofed = (0..<20_000).map { InetAddress.v4(IPv4Address(0xCB00_7100 &+ UInt32($0))) }
        var reported = 0
        for source in spoofed where limiter.admit(source, now: now) { reported += 1 }
        #expect(reported == 0)
        let peerReported = limiter.admit(peer, now: now)
        #expect(peerReported)
    }
}

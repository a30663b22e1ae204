// Which authenticated ESP packets tell the control plane where an inbound SA's traffic comes from: the
// first one, then a new highest sequence number from another source, at most 10 a second per SA.
import HIPCore
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct ESPSourceReportsTests {
    static let first = SocketAddress(InetAddress("198.18.0.1")!, port: 10500)
    static let moved = SocketAddress(InetAddress("fd00::1")!, port: 10500)
    static let rebound = SocketAddress(InetAddress("198.18.0.1")!, port: 40000)

    @Test func firstPacketThenOnlyNewSourcesWithANewHighestSequenceNumber() {
        var reports = ESPSourceReports(now: .zero)
        #expect(reports.observe(sequence: 5, from: Self.first, now: .zero) == .report)
        #expect(reports.reported == Self.first)
        #expect(reports.observe(sequence: 6, from: Self.first, now: .zero) == .unchanged)
        // A late packet (below the highest) from elsewhere says nothing; a new highest one does.
        #expect(reports.observe(sequence: 4, from: Self.moved, now: .zero) == .unchanged)
        #expect(reports.observe(sequence: 7, from: Self.moved, now: .zero) == .report)
        #expect(reports.observe(sequence: 8, from: Self.moved, now: .zero) == .unchanged)
        // Another port at the same address is another source (a NAT rebinding).
        #expect(reports.observe(sequence: 9, from: Self.rebound, now: .zero) == .report)
        #expect(reports.reported == Self.rebound)
    }

    @Test func tenReportsASecondAfterTheFirstThenSuppressedUntilTheBucketRefills() {
        var reports = ESPSourceReports(now: .zero)
        #expect(reports.observe(sequence: 1, from: Self.first, now: .zero) == .report)
        var verdicts: [ESPSourceReports.Verdict] = []
        for sequence in UInt64(2)...31 {
            verdicts.append(reports.observe(sequence: sequence, from: sequence % 2 == 0 ? Self.moved : Self.first,
                                            now: .zero))
        }
        // Packets 2…11 report (the bucket's 10); then each packet from the other source than the last
        // reported (`first`, by packet 11) is suppressed, and those from `first` are nothing new.
        #expect(verdicts.filter { $0 == .report }.count == NodeLimits.espSourceReportsPerSecond)
        #expect(verdicts.filter { $0 == .suppressed }.count == 10 && verdicts.filter { $0 == .unchanged }.count == 10)
        #expect(reports.reported == Self.first)
        // 100 ms later one report is due again: a suppressed source is tried again by its next packet.
        let later = Instant.zero + .milliseconds(100)
        #expect(reports.observe(sequence: 32, from: Self.moved, now: later) == .report)
        #expect(reports.observe(sequence: 33, from: Self.first, now: later) == .suppressed)
    }
}

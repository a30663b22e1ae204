// LinkStatisticsTests: the drop counters read from /proc/net/dev text, and from this namespace's own file.
import Testing
@testable import SynapticPlatform

@Suite struct LinkStatisticsTests {
    static let sample = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
          hip0: 5000000    4000    0    3    0     0          0         0  9000000    7000    0  726    0     0       0          0
        """

    @Test func dropsOfTheNamedInterface() {
        #expect(LinkStatistics.parse(Self.sample, interface: "hip0") == LinkStatistics(receiveDropped: 3, transmitDropped: 726))
        #expect(LinkStatistics.parse(Self.sample, interface: "lo") == LinkStatistics(receiveDropped: 0, transmitDropped: 0))
        #expect(LinkStatistics.parse(Self.sample, interface: "hip") == nil)
        #expect(LinkStatistics.parse("garbage\nhip0: 1 2 3\n", interface: "hip0") == nil)
    }

    @Test func loopbackIsReadFromProc() {
        #expect(LinkStatistics.read(interface: "lo") != nil)
        #expect(LinkStatistics.read(interface: "no-such-interface") == nil)
    }
}

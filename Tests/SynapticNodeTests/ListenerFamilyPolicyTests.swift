// The family of flows peers start: the decision from the sockets on the port (IPv6 socket for the HIT
// first, then IPv4 for the LSI), over socket tables in the kernel's text format, and that the tables are
// read at most once per recheck interval however many ports flows start to (a port scan), while a new
// listener is seen within that interval.
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct ListenerFamilyPolicyTests {
    static let hit = HIT("2001:2a:1::5")!
    static let lsi: UInt32 = 0x0100_0005   // 1.0.0.5
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func entry(_ address: String, _ port: UInt16, state: UInt8 = SocketTable.listenState) -> SocketTable.Entry {
        let local = InetAddress(address)!
        let any: InetAddress = local.family == .v4 ? InetAddress("0.0.0.0")! : InetAddress("::")!
        return SocketTable.Entry(localAddress: local, localPort: port, remoteAddress: any, remotePort: 0, state: state)
    }

    static func decide(_ transport: FlowTransport = .tcp, ipv4: [SocketTable.Entry] = [],
                       ipv6: [SocketTable.Entry] = []) -> Bool {
        ListenerFamilyPolicy.portsOverLSI(transport: transport, ipv4: ipv4, ipv6: ipv6, ownHIT: hit.ipv6Address,
                                          ownLSI: IPv4Address(lsi)).contains(5001)
    }

    @Test func ipv4ListenersForOurLSITakeTheFlowUnlessAnIPv6OneWaits() {
        #expect(Self.decide(ipv4: [Self.entry("1.0.0.5", 5001)]))
        #expect(Self.decide(ipv4: [Self.entry("0.0.0.0", 5001)]))
        #expect(Self.decide(ipv6: [Self.entry("::ffff:1.0.0.5", 5001)]))
        #expect(Self.decide(ipv6: [Self.entry("::ffff:0.0.0.0", 5001)]))
        // Not for us: another address, another port, not listening, nobody at all.
        #expect(!Self.decide(ipv4: [Self.entry("127.0.0.1", 5001), Self.entry("1.0.0.6", 5001)]))
        #expect(!Self.decide(ipv4: [Self.entry("1.0.0.5", 5002)]))
        #expect(!Self.decide(ipv4: [Self.entry("1.0.0.5", 5001, state: 0x01)]))
        #expect(!Self.decide())
        // An IPv6 socket for the HIT wins (a :: socket takes IPv4 too unless IPV6_V6ONLY).
        #expect(!Self.decide(ipv4: [Self.entry("1.0.0.5", 5001)], ipv6: [Self.entry("::", 5001)]))
        #expect(!Self.decide(ipv4: [Self.entry("0.0.0.0", 5001)], ipv6: [Self.entry("2001:2a:1::5", 5001)]))
        // … but only one that can receive the flow.
        #expect(Self.decide(ipv4: [Self.entry("1.0.0.5", 5001)], ipv6: [Self.entry("fd00::1", 5001)]))
        #expect(Self.decide(ipv4: [Self.entry("1.0.0.5", 5001)], ipv6: [Self.entry("::", 5001, state: 0x01)]))
    }

    @Test func udpSocketsCountInAnyState() {
        #expect(Self.decide(.udp, ipv4: [Self.entry("0.0.0.0", 5001, state: 0x07)]))
        #expect(Self.decide(.udp, ipv4: [Self.entry("1.0.0.5", 5001, state: 0x01)]))
        #expect(!Self.decide(.udp, ipv4: [Self.entry("0.0.0.0", 5001, state: 0x07)], ipv6: [Self.entry("::", 5001, state: 0x07)]))
        #expect(!Self.decide(.udp, ipv4: [Self.entry("127.0.0.1", 5001, state: 0x07)]))
    }

    /// Tables in the kernel's format (as /proc/net shows socat listeners on 1.0.0.5 and 2001:2a:1::5).
    @Test func decisionsFromTablesInTheKernelFormat() throws {
        let tcp = "  sl  local_address rem_address   st tx_queue\n"
            + "   0: 05000001:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 442498 1\n"
            + "   1: 05000001:138A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 442499 1\n"
        let tcp6 = "  sl  local_address                         remote_address                        st tx_queue\n"
            + "   0: 2A000120000001000000000005000000:138A 00000000000000000000000000000000:0000 0A 00000000:00000000\n"
        let udp = "   sl  local_address rem_address   st tx_queue\n"
            + " 3238: 00000000:138B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 443616 2\n"
        let tables: [SocketTable.Transport: [AddressFamily: String]] = [.tcp: [.v4: tcp, .v6: tcp6], .udp: [.v4: udp, .v6: ""]]
        let policy = ListenerFamilyPolicy(ownHIT: Self.hit, ownLSI: Self.lsi, logger: Self.logger) { (table, family) throws(SystemError) in
            try SocketTable(parsing: tables[table]?[family] ?? "", family: family).entries
        }
        #expect(policy.presentsOverLSI(.tcp, localPort: 5001, now: .zero))    // TCP4 on 1.0.0.5 only
        #expect(!policy.presentsOverLSI(.tcp, localPort: 5002, now: .zero))   // TCP6 on the HIT as well
        #expect(policy.presentsOverLSI(.udp, localPort: 5003, now: .zero))    // UDP4 on 0.0.0.0
        #expect(!policy.presentsOverLSI(.udp, localPort: 5001, now: .zero))   // no UDP socket there
    }

    @Test func aPortScanReadsTheTablesOncePerRecheckInterval() {
        var reads: [(SocketTable.Transport, AddressFamily)] = []
        let listening: [UInt16] = [5001]
        let policy = ListenerFamilyPolicy(ownHIT: Self.hit, ownLSI: Self.lsi, logger: Self.logger) { (table, family) throws(SystemError) in
            reads.append((table, family))
            return family == .v4 ? listening.map { Self.entry("1.0.0.5", $0, state: table == .tcp ? 0x0A : 0x07) } : []
        }
        let start = Instant(nanoseconds: 5_000_000_000)
        let recheck = NodeLimits.listenerRecheckInterval
        #expect(policy.presentsOverLSI(.tcp, localPort: 5001, now: start))
        #expect(reads.count == 2 && reads.allSatisfy { $0.0 == .tcp })
        #expect(Set(reads.map { $0.1 == .v4 }) == [true, false])
        // A SYN to each of 5000 other ports over one second: one read (two tables) per recheck interval.
        for port in UInt16(1)...UInt16(5000) {
            #expect(!policy.presentsOverLSI(.tcp, localPort: port, now: start + .seconds(Double(port) / 5000)))
        }
        let allowed = 2 * (Int(Duration.seconds(1) / recheck) + 1)
        #expect(reads.count > 2 && reads.count <= 2 + allowed)
        // UDP has its own tables.
        let tcpReads = reads.count
        #expect(!policy.presentsOverLSI(.udp, localPort: 22, now: start + .seconds(1)))
        #expect(reads.count == tcpReads + 2 && reads[tcpReads...].allSatisfy { $0.0 == .udp })
    }

    @Test func aNewListenerIsSeenWithinTheRecheckIntervalAndKnownPortsAreNotReread() {
        var reads = 0
        var listening: [UInt16] = [5001]
        let policy = ListenerFamilyPolicy(ownHIT: Self.hit, ownLSI: Self.lsi, logger: Self.logger) { (_, family) throws(SystemError) in
            reads += 1
            return family == .v4 ? listening.map { Self.entry("1.0.0.5", $0) } : []
        }
        let start = Instant(nanoseconds: 1_000_000_000)
        let recheck = NodeLimits.listenerRecheckInterval
        #expect(policy.presentsOverLSI(.tcp, localPort: 5001, now: start))
        #expect(reads == 2)
        listening = [5001, 22]   // an IPv4-only service starts right after that read
        #expect(!policy.presentsOverLSI(.tcp, localPort: 22, now: start + (recheck - .nanoseconds(1))))
        #expect(reads == 2)
        #expect(policy.presentsOverLSI(.tcp, localPort: 22, now: start + recheck))
        #expect(reads == 4)
        // Ports a socket waited on are answered from that read for the whole table interval.
        #expect(policy.presentsOverLSI(.tcp, localPort: 5001, now: start + NodeLimits.listenerTableInterval))
        #expect(reads == 4)
        #expect(policy.presentsOverLSI(.tcp, localPort: 22, now: start + recheck + NodeLimits.listenerTableInterval))
        #expect(reads == 6)
    }

    @Test func unreadableTablesMeanIPv6() {
        let policy = ListenerFamilyPolicy(ownHIT: Self.hit, ownLSI: Self.lsi, logger: Self.logger) { (_, _) throws(SystemError) in
            try SocketTable(parsing: "   0: garbage\n", family: .v4).entries
        }
        #expect(!policy.presentsOverLSI(.tcp, localPort: 5001, now: .zero))
        #expect(!policy.presentsOverLSI(.udp, localPort: 5001, now: .zero))
    }
}

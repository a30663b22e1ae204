// ListenerFamilyPolicy: the family in which a flow the peer starts reaches local applications (the data
// plane's InboundFlowPolicy), from the sockets waiting on its port, as HIPL's port cache does (digest §8).
//
//   presentsOverLSI(transport, port), on the outside path's thread
//     → the transport's tables read less than NodeLimits.listenerRecheckInterval ago, or less than
//       NodeLimits.listenerTableInterval ago and a socket waited on the port then → their answer for the port
//       (a port nobody waited on is checked again after the short interval, so a listener that just
//       started is seen within it, while a peer scanning our ports costs at most one read per interval)
//     → else the socket tables of the node's network namespace, whole (SocketTable:
//       /proc/thread-self/net/tcp6 and tcp, or udp6 and udp; TCP sockets only in LISTEN), reduced to the
//       set of ports whose flows go over LSIs, per port:
//         an IPv6 socket bound to our HIT or ::                       → IPv6 (not in the set): a :: socket
//                                                                      without IPV6_V6ONLY takes IPv4 too,
//                                                                      and IPv6 is what it asked for
//         else an IPv4 socket bound to our LSI or 0.0.0.0, or an IPv6
//              socket bound to ::ffff:<LSI> or ::ffff:0.0.0.0          → IPv4 (in the set)
//         else nobody waits (the kernel answers RST or unreachable)   → IPv6 (not in the set)
//       (a table that cannot be read counts as no socket, logged once) → kept with the time of the read
// So the tables are read at most once per recheck interval and transport, however many flows start;
// memory is two sets of ports per transport, replaced at each read.
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// Answers the inbound processor from the socket tables, read at most once per
/// `NodeLimits.listenerRecheckInterval` and transport. Owned by the outside path: call only on its thread
/// (not Sendable).
final class ListenerFamilyPolicy: InboundFlowPolicy {
    /// Reads one socket table, whole (tests pass fixed tables).
    typealias TableReader = (SocketTable.Transport, AddressFamily) throws(SystemError) -> [SocketTable.Entry]

    /// One read of a transport's tables: the ports whose new flows are presented over LSIs, and the ports
    /// any socket waited on.
    private struct Ports {
        var overLSI: Set<UInt16>
        var waiting: Set<UInt16>
        var readAt: Instant
    }

    private let ownHIT: IPv6Address
    private let ownLSI: IPv4Address
    private let read: TableReader
    private let logger: Logger
    /// When tables were read (the node's clock).
    private let clock: any NodeClock
    private var tcp: Ports?
    private var udp: Ports?
    private var readFailureLogged = false

    /// - Parameters: `ownHIT`, `ownLSI` (host order): the TUN's addresses, which sockets may be bound to.
    init(ownHIT: HIT, ownLSI: UInt32, logger: Logger, clock: any NodeClock = MonotonicClock(),
         read: @escaping TableReader = { (transport, family) throws(SystemError) in
             try SocketTable.read(transport, family: family).entries
         }) {
        self.ownHIT = ownHIT.ipv6Address
        self.ownLSI = IPv4Address(ownLSI)
        self.read = read
        self.logger = logger
        self.clock = clock
    }

    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16) -> Bool {
        presentsOverLSI(transport, localPort: localPort, now: clock.now())
    }

    /// The answer at `now`, from the last read of the transport's tables if recent enough, else a new one.
    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16, now: Instant) -> Bool {
        let previous = transport == .tcp ? tcp : udp
        if let ports = previous {
            let age = now - ports.readAt
            if age < NodeLimits.listenerRecheckInterval
                || (age < NodeLimits.listenerTableInterval && ports.waiting.contains(localPort)) {
                return ports.overLSI.contains(localPort)
            }
        }
        var ports = lookUp(transport)
        ports.readAt = now
        if ports.overLSI != previous?.overLSI {
            logger.debug("new flows from peers to \(transport) ports \(ports.overLSI.sorted()) are presented over LSIs (IPv4), others over HITs")
        }
        if transport == .tcp { tcp = ports } else { udp = ports }
        return ports.overLSI.contains(localPort)
    }

    private func lookUp(_ transport: FlowTransport) -> Ports {
        let table: SocketTable.Transport = transport == .tcp ? .tcp : .udp
        do {
            let ipv6 = try read(table, .v6)
            let ipv4 = try read(table, .v4)
            let waiting = (ipv6 + ipv4).filter { transport == .udp || $0.isListening }.map(\.localPort)
            return Ports(overLSI: Self.portsOverLSI(transport: transport, ipv4: ipv4, ipv6: ipv6, ownHIT: ownHIT,
                                                    ownLSI: ownLSI),
                         waiting: Set(waiting), readAt: .zero)
        } catch {
            if !readFailureLogged {
                readFailureLogged = true
                logger.warning("cannot read the socket tables (\(error)): flows peers start reach applications over HITs only")
            }
            return Ports(overLSI: [], waiting: [], readAt: .zero)
        }
    }

    /// The ports whose new flows the decision of the file comment presents over LSIs.
    static func portsOverLSI(transport: FlowTransport, ipv4: [SocketTable.Entry], ipv6: [SocketTable.Entry],
                             ownHIT: IPv6Address, ownLSI: IPv4Address) -> Set<UInt16> {
        func waiting(_ entry: SocketTable.Entry) -> Bool { transport == .udp || entry.isListening }
        let any6: InetAddress = .v6(IPv6Address(high: 0, low: 0))
        let mapped: Set<InetAddress> = [.v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(ownLSI.value))),
                                        .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000))]
        var overHIT: Set<UInt16> = []
        var overLSI: Set<UInt16> = []
        for entry in ipv6 where waiting(entry) {
            if entry.localAddress == .v6(ownHIT) || entry.localAddress == any6 {
                overHIT.insert(entry.localPort)
            } else if mapped.contains(entry.localAddress) {
                overLSI.insert(entry.localPort)
            }
        }
        for entry in ipv4 where waiting(entry) && (entry.localAddress == .v4(ownLSI) || entry.localAddress == .v4(IPv4Address(0))) {
            overLSI.insert(entry.localPort)
        }
        return overLSI.subtracting(overHIT)
    }
}

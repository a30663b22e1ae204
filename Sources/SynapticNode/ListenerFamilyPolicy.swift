// ListenerFamilyPolicy: the family in which a flow the peer starts reaches local applications (the data
// plane's InboundFlowPolicy), from the sockets waiting on its port, as HIPL's port cache does (digest §8).
//
//   presentsOverLSI(transport, port), on the outside path's thread
//     → an answer for (transport, port) younger than NodeLimits.listenerCacheAge → that answer
//     → else the socket tables of the node's network namespace for that port (SocketTable:
//       /proc/thread-self/net/tcp6 and tcp, or udp6 and udp; TCP sockets only in LISTEN):
//         an IPv6 socket bound to our HIT or ::                       → IPv6 (false): a :: socket without
//                                                                      IPV6_V6ONLY takes IPv4 too, and
//                                                                      IPv6 is what it asked for
//         else an IPv4 socket bound to our LSI or 0.0.0.0, or an IPv6
//              socket bound to ::ffff:<LSI> or ::ffff:0.0.0.0          → IPv4 (true)
//         else nobody waits (the kernel answers RST or unreachable)   → IPv6 (false)
//       (a table that cannot be read counts as no socket, logged once) → cached
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// Answers the inbound processor from the socket tables, cached per (transport, port). Owned by the
/// outside path: call only on its thread (not Sendable).
final class ListenerFamilyPolicy: InboundFlowPolicy {
    /// Reads the sockets of one table bound to a port (tests pass fixed tables).
    typealias TableReader = (SocketTable.Transport, AddressFamily, UInt16) throws(SystemError) -> [SocketTable.Entry]

    private struct Key: Hashable {
        var transport: FlowTransport
        var port: UInt16
    }

    private struct Answer {
        var overLSI: Bool
        var decidedAt: Instant
    }

    private let ownHIT: IPv6Address
    private let ownLSI: IPv4Address
    private let read: TableReader
    private let logger: Logger
    private var answers: [Key: Answer] = [:]
    private var readFailureLogged = false

    /// - Parameters: `ownHIT`, `ownLSI` (host order): the TUN's addresses, which sockets may be bound to.
    init(ownHIT: HIT, ownLSI: UInt32, logger: Logger,
         read: @escaping TableReader = { (transport, family, port) throws(SystemError) in
             try SocketTable.read(transport, family: family, localPort: port).entries
         }) {
        self.ownHIT = ownHIT.ipv6Address
        self.ownLSI = IPv4Address(ownLSI)
        self.read = read
        self.logger = logger
    }

    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16) -> Bool {
        presentsOverLSI(transport, localPort: localPort, now: MonotonicClock.now())
    }

    /// The answer at `now`: cached, or looked up in the socket tables and cached.
    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16, now: Instant) -> Bool {
        let key = Key(transport: transport, port: localPort)
        if let cached = answers[key], now - cached.decidedAt < NodeLimits.listenerCacheAge { return cached.overLSI }
        let overLSI = lookUp(transport, port: localPort)
        if answers.count >= NodeLimits.listenerCacheEntries { answers.removeAll(keepingCapacity: true) }
        answers[key] = Answer(overLSI: overLSI, decidedAt: now)
        logger.debug("new flows from peers to \(transport)/\(localPort) are presented over \(overLSI ? "LSIs (IPv4)" : "HITs (IPv6)")")
        return overLSI
    }

    private func lookUp(_ transport: FlowTransport, port: UInt16) -> Bool {
        let table: SocketTable.Transport = transport == .tcp ? .tcp : .udp
        do {
            let ipv6 = try read(table, .v6, port)
            let ipv4 = try read(table, .v4, port)
            return Self.decide(transport: transport, port: port, ipv4: ipv4, ipv6: ipv6, ownHIT: ownHIT, ownLSI: ownLSI)
        } catch {
            if !readFailureLogged {
                readFailureLogged = true
                logger.warning("cannot read the socket tables (\(error)): flows peers start reach applications over HITs only")
            }
            return false
        }
    }

    /// The decision of the file comment for sockets on `port` (entries on other ports are ignored).
    static func decide(transport: FlowTransport, port: UInt16, ipv4: [SocketTable.Entry], ipv6: [SocketTable.Entry],
                       ownHIT: IPv6Address, ownLSI: IPv4Address) -> Bool {
        func waiting(_ entry: SocketTable.Entry) -> Bool {
            entry.localPort == port && (transport == .udp || entry.isListening)
        }
        let any6 = IPv6Address(high: 0, low: 0)
        if ipv6.contains(where: { waiting($0) && ($0.localAddress == .v6(ownHIT) || $0.localAddress == .v6(any6)) }) {
            return false
        }
        let mapped: Set<InetAddress> = [.v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(ownLSI.value))),
                                        .v6(IPv6Address(high: 0, low: 0xFFFF_0000_0000))]
        return ipv4.contains { waiting($0) && ($0.localAddress == .v4(ownLSI) || $0.localAddress == .v4(IPv4Address(0))) }
            || ipv6.contains { waiting($0) && mapped.contains($0.localAddress) }
    }
}

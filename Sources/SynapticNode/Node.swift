// Node: the composition root of `synaptic up`: identity, TUN, sockets, HIPHost, data plane and services,
// wired together and run on dedicated threads.
//
// Startup (init, in this order; any failure is a NodeError naming what failed):
//   identity key file (created 0600 if missing) → UDP sockets on the port (IPv4, IPv6) → raw 139 sockets
//   when enabled and permitted (peers get raw endpoints only then) → TUN with HIT/128, LSI/32 and routes
//   2001:20::/28, 1.0.0.0/8 → keylog, status socket, metrics listener → address monitor (subscribed, then
//   the current addresses read) → NodeEngine over the TUN and the sockets (HIPHost, paths, control plane).
// Threads (start()):
//   control  HIPHost, raw HIP, timers, actions          inside   TUN → seal → sendmmsg
//   outside  recvmmsg → demux → open → TUN               services status socket, metrics
// "synaptic up" is logged once all of that is held and the threads run (start()): a node that cannot get
// one of its resources (a status socket another node serves, a taken port) exits without announcing it.
// Shutdown (stop()): CLOSE to every peer (≤ 1 s for CLOSE_ACKs) → the paths stop → sockets and TUN close
// (the kernel removes the interface with its addresses and routes).
import Foundation
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import Synchronization
import SynapticPlatform

/// A running HIP host. Create it (startup), `start()` its threads, then `wait()` until `stop()` finishes.
///
/// Concurrency: `start`, `stop`, `reload`, `status` and `wait` may be called from any thread (signal
/// handlers of the CLI call `stop` and `reload`). Errors: `init` throws `NodeError`; later failures are
/// logged.
public final class Node: Sendable {
    /// Our HIT and LSI, the TUN's name, the UDP port, whether raw HIP is in use.
    public let hit: HIT
    public let lsi: IPAddress
    public let tunName: String
    public let udpPort: UInt16
    public let rawHIP: Bool

    private let tun: TunDevice
    private let sockets: HIPSockets<UDPSocket>
    private let engine: NodeEngine<TunDevice, UDPSocket>
    private let services: ServiceLoop?
    private let logger: Logger
    private let startedAt = MonotonicClock.now()
    private let servicesThread = Mutex<WorkerThread?>(nil)
    private let finished = Mutex(false)
    /// The "synaptic up" line, logged by `start()`.
    private let announcement: String
    /// The node's facts as the status shows them.
    private let summary: NodeStatus.Identity

    /// Sets everything up (see the file comment). Needs CAP_NET_ADMIN (TUN), and CAP_NET_RAW for raw HIP.
    public init(configuration: NodeConfiguration, logger: Logger) throws(NodeError) {
        self.logger = logger
        let (identity, created) = try Node.loadIdentity(configuration, logger: logger)
        // A key file made just now stays when a later step fails: it is this host's identity from now on
        // (peers may already be configured with its HIT), and the log says so.
        var started = false
        defer {
            if created && !started {
                logger.notice("kept the new host identity \(configuration.identityKeyPath) (HIT \(identity.hit)) although start-up failed: the next start uses it")
            }
        }
        hit = identity.hit
        if let problem = configuration.problem(ownHIT: hit) { throw .setup("configuration", problem) }
        for warning in configuration.warnings { logger.warning("\(warning)") }
        // Sockets first: I1s go over raw HIP only when a raw socket could be opened (CAP_NET_RAW).
        sockets = try Node.openSockets(configuration, logger: logger)
        udpPort = configuration.udpPort
        rawHIP = sockets.hasRaw
        let directory = PeerDirectory(ownHIT: hit, peers: configuration.knownPeers, udpPort: configuration.udpPort,
                                      rawFamilies: sockets.rawFamilies)
        lsi = .v4(directory.ownLSI)

        tun = try Node.createTUN(configuration, hit: hit, lsi: directory.ownLSI)
        tunName = tun.name
        if configuration.offload {
            let udp = tun.options.offloads.contains(.uso4) ? "TCP and UDP" : "TCP (the kernel has no USO)"
            logger.info("offloads: \(udp) segmentation from \(tunName), TCP coalescing to it, UDP GSO and GRO")
        }

        let keyLog = try configuration.keylogPath.map { (path) throws(NodeError) in try KeyLog(path: path) }
        let statusListener = try configuration.statusSocketPath(interface: tunName).map { (path) throws(NodeError) in
            try StreamListener.unix(path: path)
        }
        let metricsListener = try configuration.metricsListen.map { (locator) throws(NodeError) -> StreamListener in
            guard let address = locator.socketAddress else { throw .setup("metrics listener", "bad address \(locator)") }
            return try StreamListener.tcp(address)
        }

        let (monitor, addresses) = Node.startAddressMonitor(logger: logger)
        engine = try NodeEngine(identity: identity, configuration: configuration, directory: directory, tun: tun,
                                sockets: sockets, keyLog: keyLog, addressSource: monitor, localAddresses: addresses,
                                logger: logger)

        let summary = NodeStatus.Identity(hit: hit, lsi: lsi, tun: tunName, udpPort: udpPort, rawHIP: rawHIP,
                                          statusSocket: statusListener?.unixPath)
        self.summary = summary
        if statusListener != nil || metricsListener != nil {
            let (engine, startedAt) = (self.engine, self.startedAt)
            do {
                services = try ServiceLoop(statusListener: statusListener, metricsListener: metricsListener, logger: logger) {
                    engine.status(identity: summary, startedAt: startedAt)
                }
            } catch {
                throw .setup("status service", "\(error)")
            }
        } else {
            services = nil
        }
        let statusNote = statusListener?.unixPath.map { ", status \($0)" } ?? ""
        let keyLogNote = keyLog.map { ", keylog \($0.path)" } ?? ""
        announcement = "synaptic up: HIT \(hit), LSI \(lsi), TUN \(tunName), UDP \(udpPort), raw HIP \(rawHIP ? "on" : "off")"
            + statusNote + keyLogNote
        started = true
    }

    /// Starts the threads, then logs "synaptic up" (everything is held by then). Call once.
    public func start() {
        let services = self.services
        // When the control plane has finished its CLOSEs (and stopped the data paths), the services stop.
        engine.start { services?.stop() }
        if let services {
            servicesThread.withLock { $0 = WorkerThread(name: "synaptic-services") { services.run() } }
        }
        logger.info("\(announcement)")
    }

    /// Sends CLOSE to every established peer, waits up to `NodeLimits.closeWait` for the CLOSE_ACKs, then
    /// stops every thread. Returns at once; `wait()` for the end.
    public func stop() {
        engine.stop()
    }

    /// Applies new peers and policy (other settings need a restart and are logged as such).
    public func reload(_ configuration: NodeConfiguration) {
        engine.reload(configuration)
    }

    /// Blocks until the node has stopped, then removes the TUN and closes the sockets.
    public func wait() {
        engine.wait()
        servicesThread.withLock { $0 }?.join()
        let first = finished.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        sockets.close()
        tun.close()
        logger.info("synaptic stopped (TUN \(tunName) removed)")
    }

    /// A snapshot of the node (as `synaptic status` shows it); nil if its threads did not answer in time.
    public func status() -> NodeStatus? {
        engine.status(identity: summary, startedAt: startedAt)
    }

    // MARK: - Startup steps

    /// Loads the key file, or creates it (mode 0600, its directory 0700) when it does not exist; `created`
    /// says which.
    static func loadIdentity(_ configuration: NodeConfiguration,
                             logger: Logger) throws(NodeError) -> (identity: HostIdentity, created: Bool) {
        let path = configuration.identityKeyPath
        do {
            return (try HostIdentity.load(path: path), false)
        } catch where error.code == .keyFileMissing {
            do {
                try FileSystem.createParentDirectory(of: path, mode: 0o700)
                let identity = try HostIdentity.generate(configuration.identityKind)
                try identity.save(path: path)
                logger.notice("created host identity \(path) (\(configuration.identityKind.rawValue), HIT \(identity.hit))")
                return (identity, true)
            } catch {
                throw .setup("host identity", "cannot create \(path): \(error)")
            }
        } catch {
            throw .setup("host identity", "\(error)")
        }
    }

    /// Subscribes to the kernel's address changes (mobility); without it (logged) the node still runs, but
    /// a move is not announced to the peers.
    private static func startAddressMonitor(logger: Logger) -> (AddressMonitor?, [InterfaceAddress]) {
        do {
            let (monitor, addresses) = try AddressMonitor.start()
            return (monitor, addresses)
        } catch {
            logger.warning("address monitor: \(error): local address changes will not be announced to peers")
            return (nil, [])
        }
    }

    /// The TUN, always with virtio-net headers; with `offload`, TSO and checksum offload, and USO where the
    /// kernel has it (6.2+: older ones refuse the flags with EINVAL).
    private static func openTUN(_ configuration: NodeConfiguration) throws(SystemError) -> TunDevice {
        guard configuration.offload else {
            return try TunDevice(name: configuration.tunName, options: .init(virtioNetHeader: true))
        }
        let tcp: TunOffloads = [.checksum, .tso4, .tso6]
        do {
            return try TunDevice(name: configuration.tunName,
                                 options: .init(virtioNetHeader: true, offloads: tcp.union([.uso4, .uso6])))
        } catch where error.errno == EINVAL && error.call == "ioctl(TUNSETOFFLOAD)" {
            return try TunDevice(name: configuration.tunName, options: .init(virtioNetHeader: true, offloads: tcp))
        }
    }

    private static func createTUN(_ configuration: NodeConfiguration, hit: HIT, lsi: UInt32) throws(NodeError) -> TunDevice {
        do {
            let tun = try openTUN(configuration)
            guard let lsiAddress = IPAddress.v4(lsi).inetAddress,
                  let orchid = IPPrefix(NodeProtocol.orchidPrefix), let lsis = IPPrefix(NodeProtocol.lsiPrefix) else {
                throw NodeError.setup("TUN \(tun.name)", "invalid HIT or LSI")
            }
            try tun.configure(TunConfiguration(mtu: configuration.mtu,
                                               addresses: [IPPrefix(host: hit.inetAddress), IPPrefix(host: lsiAddress)],
                                               routes: [orchid, lsis]))
            return tun
        } catch let error as NodeError {
            throw error
        } catch {
            let hint = (error as? SystemError)?.isPermissionDenied == true ? " (needs CAP_NET_ADMIN)" : ""
            throw .setup("TUN \(configuration.tunName)", "\(error)\(hint)")
        }
    }

    private static func openSockets(_ configuration: NodeConfiguration,
                                    logger: Logger) throws(NodeError) -> HIPSockets<UDPSocket> {
        let port = configuration.udpPort
        var failures: [String] = []
        func udp(_ address: InetAddress) -> UDPSocket? {
            do {
                return try UDPSocket(bindingTo: SocketAddress(address, port: port),
                                     options: .init(receiveOffload: configuration.offload))
            } catch {
                failures.append("\(error)")
                return nil
            }
        }
        // Every address, or the first configured one of each family (an absent family stays unbound).
        let listen = configuration.listenAddresses.compactMap(\.inetAddress)
        let any4: InetAddress? = listen.isEmpty ? .v4(IPv4Address(0)) : listen.first { $0.family == .v4 }
        let any6: InetAddress? = listen.isEmpty ? .v6(IPv6Address(high: 0, low: 0)) : listen.first { $0.family == .v6 }
        if listen.count > [any4, any6].compactMap({ $0 }).count {
            logger.warning("transport.listen: only the first address of each family is bound")
        }
        let udp4 = any4.flatMap(udp)
        let udp6 = any6.flatMap(udp)
        guard udp4 != nil || udp6 != nil else {
            throw .setup("UDP port \(port)", failures.joined(separator: "; "))
        }
        for failure in failures { logger.warning("UDP: \(failure); continuing with the other address family") }

        guard configuration.rawHIP else { return HIPSockets(udp4: udp4, udp6: udp6, raw4: nil, raw6: nil) }
        // Each family on its own: a host without IPv6 still gets raw HIP over IPv4.
        var refusals: [(AddressFamily, SystemError)] = []
        func raw(_ family: AddressFamily) -> RawHIPSocket? {
            do {
                return try RawHIPSocket(family: family)
            } catch {
                refusals.append((family, error))
                return nil
            }
        }
        let raw4 = raw(.v4)
        let raw6 = raw(.v6)
        if refusals.count == 2, refusals.allSatisfy({ $0.1.isPermissionDenied }) {
            logger.notice("raw HIP off (no CAP_NET_RAW): HIP over UDP only")
        } else {
            for (family, error) in refusals {
                logger.notice("raw HIP over \(family == .v4 ? "IPv4" : "IPv6") off (\(error)): HIP over UDP for that family")
            }
        }
        return HIPSockets(udp4: udp4, udp6: udp6, raw4: raw4, raw6: raw6)
    }
}

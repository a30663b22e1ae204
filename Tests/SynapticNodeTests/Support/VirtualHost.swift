// VirtualHost: a full node on a VirtualRouter, no root needed: NodeEngine (control plane, inside and
// outside paths, executor, on their threads) over a MemoryTun, one MemoryTransport (IPv4, port 10500,
// HIP over UDP: no raw sockets), a MemoryAddressSource and the network's TestClock.
//
// Lifecycle: init (identity, transport bound at its address) → start(peers:) (each peer configured at
// its current address; the node runs) → inject into / await from `tun`, move, wake → stop (CLOSE to the
// peers, the threads end, the doubles close). `SYNAPTIC_TEST_LOG=debug` (or another level) logs to stderr.
import Foundation
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticPlatform
@testable import SynapticNode

/// One host of a virtual network. Driven from the test's thread.
final class VirtualHost {
    static let port: UInt16 = 10500

    let name: String
    let identity: HostIdentity
    let tun = MemoryTun()
    let transport: MemoryTransport
    private(set) var address: InetAddress
    private let addressSource: MemoryAddressSource
    private let clock: TestClock
    private var engine: NodeEngine<MemoryTun, MemoryTransport>?

    var hit: HIT { identity.hit }

    /// A host with a new identity, or `identity` (a host that restarts).
    init(_ name: String, at address: InetAddress, on router: VirtualRouter, clock: TestClock,
         identity: HostIdentity? = nil) throws {
        self.name = name
        self.address = address
        self.clock = clock
        self.identity = try identity ?? HostIdentity.generate(.ecdsaP256)
        transport = MemoryTransport(at: SocketAddress(address, port: Self.port), on: router)
        addressSource = MemoryAddressSource([Self.interfaceAddress(address)])
    }

    private static func interfaceAddress(_ address: InetAddress) -> InterfaceAddress {
        InterfaceAddress(prefix: IPPrefix(host: address), interfaceIndex: 1)
    }

    /// Starts the node with `peers` configured at their current addresses; `configure` may change the rest.
    func start(peers: [VirtualHost], _ configure: (inout NodeConfiguration) -> Void = { _ in }) throws {
        var configuration = NodeConfiguration(identityKeyPath: "\(name).key")
        configuration.peers = peers.map {
            .init(hit: $0.hit, name: $0.name, locators: [.init(address: IPAddress($0.address), port: Self.port)])
        }
        configuration.rawHIP = false
        configuration.statusSocketPath = nil
        configuration.dataPlaneWorkers = 1
        configure(&configuration)
        let directory = PeerDirectory(ownHIT: hit, peers: configuration.knownPeers, udpPort: Self.port, rawFamilies: [])
        let engine = try NodeEngine(
            identity: identity, configuration: configuration, directory: directory, tun: tun,
            sockets: HIPSockets(udp4: transport, udp6: nil, raw4: nil, raw6: nil), keyLog: nil,
            addressSource: addressSource, localAddresses: [Self.interfaceAddress(address)], clock: clock,
            logger: Self.logger(name))
        engine.start {}
        self.engine = engine
    }

    private static func logger(_ name: String) -> Logger {
        guard let level = ProcessInfo.processInfo.environment["SYNAPTIC_TEST_LOG"].flatMap({ Logger.Level(rawValue: $0) }) else {
            return Logger(label: name, factory: { _ in SwiftLogNoOpLogHandler() })
        }
        var logger = Logger(label: name, factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        return logger
    }

    /// The host moved to `newAddress` (the router delivers there only, and it sends from there); its node
    /// hears the address change as from the kernel.
    func move(to newAddress: InetAddress, on router: VirtualRouter) {
        router.move(transport, to: SocketAddress(newAddress, port: Self.port))
        address = newAddress
        addressSource.replace(with: [Self.interfaceAddress(newAddress)])
    }

    /// Wakes the control loop, so it compares its deadlines with the clock (after `TestClock.advance`).
    func wake() {
        try? engine?.control.inbox.poller.wake()
    }

    /// A snapshot of the node; nil if not running or its threads did not answer in time.
    func status() -> NodeStatus? {
        engine?.status(identity: NodeStatus.Identity(hit: hit, lsi: .v4(LSI.forHIT(hit)), tun: name,
                                                     udpPort: Self.port, rawHIP: false),
                       startedAt: .zero)
    }

    /// Posts the shutdown (CLOSE to the peers); `finishStop` waits for it. Split so several hosts stop together.
    func beginStop() {
        engine?.stop()
    }

    /// Waits until the node's threads ended, then closes the doubles.
    func finishStop() {
        engine?.wait()
        engine = nil
        tun.close()
        transport.close()
        addressSource.close()
    }
}

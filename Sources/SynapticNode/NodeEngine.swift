// NodeEngine: the node's three loops and how they are wired, generic over the TUN and the UDP transport, so
// the same assembly runs on real devices (`Node`) and on in-memory doubles (the virtual-network tests).
//
// Wiring (init, in this order; a failure is a NodeError naming what failed):
//   HIPHost (identity, settings, policy, the clock's now) → SA database and LSI flows → control inbox →
//   outside path (transports → open → TUN) → inside path (TUN → seal → transports) → ActionExecutor (HIP
//   over HIPSockets, SA changes to both paths' inboxes) → ControlPlane (raw sockets, local address source)
// Threads (start):
//   outside  inside  control — when the control loop ends (shutdown done), both paths are told to stop and
//   `then` runs (the node stops its services there)
// What stays outside: opening the devices, the key file, the status and metrics services, closing.
import Dispatch
import HIPCore
import HIPCrypto
import Logging
import Synchronization
import SynapticDataPlane
import SynapticPlatform

/// The control plane and the data paths of one node, on their threads.
///
/// Concurrency: `start` once, from any thread; `stop`, `reload`, `status` and `wait` from any thread.
/// `init` throws `NodeError`; later failures are logged by the loops.
final class NodeEngine<Device: PacketDevice, Transport: DatagramTransport>: Sendable {
    let control: ControlPlane
    let inside: InsidePath<Device, Transport>
    let outside: OutsidePath<Device, Transport>
    /// The clock every loop reads.
    private let clock: any NodeClock
    private let threads = Mutex<[WorkerThread]>([])

    /// - Parameters: `tun` and `sockets` are opened by the caller (and closed by it after `wait()`);
    ///   `directory` knows the peers and our LSI; `addressSource` reports local address changes after
    ///   `localAddresses` (nil: none are heard).
    init(identity: HostIdentity, configuration: NodeConfiguration, directory: PeerDirectory, tun: Device,
         sockets: HIPSockets<Transport>, keyLog: KeyLog?, addressSource: (any LocalAddressSource)?,
         localAddresses: [InterfaceAddress], clock: any NodeClock = MonotonicClock(),
         logger: Logger) throws(NodeError) {
        self.clock = clock
        let policy = ReloadablePolicy(configuration)
        let host: HIPHost
        do {
            host = try HIPHost(identity: identity, settings: configuration.coreSettings, policy: policy,
                               now: clock.now())
        } catch {
            throw .core("\(error)")
        }
        let database = SADatabase(workers: configuration.dataPlaneWorkers)
        let flows = LSIFlowTable()
        do {
            let controlInbox = Inbox<ControlMessage>(poller: try EventPoller())
            let flowPolicy = ListenerFamilyPolicy(ownHIT: identity.hit, ownLSI: directory.ownLSI, logger: logger,
                                                  clock: clock)
            outside = try OutsidePath(tun: tun, udp4: sockets.udp4, udp6: sockets.udp6, database: database, flows: flows,
                                      policy: flowPolicy, mtu: configuration.mtu, offload: configuration.offload,
                                      thresholds: configuration.rekeyThresholds,
                                      logger: logger, control: controlInbox, clock: clock)
            inside = try InsidePath(tun: tun, udp4: sockets.udp4, udp6: sockets.udp6, database: database, flows: flows,
                                    mtu: configuration.mtu, offload: configuration.offload,
                                    thresholds: configuration.rekeyThresholds, logger: logger,
                                    control: controlInbox, clock: clock)
            let executor = ActionExecutor(transmitter: sockets,
                                          dataPlane: DataPlaneLink(inside: inside.inbox, outside: outside.inbox),
                                          directory: directory, keyLog: keyLog, logger: logger)
            let (insideInbox, outsideInbox) = (inside.inbox, outside.inbox)
            control = try ControlPlane(inbox: controlInbox, host: host, executor: executor, policy: policy,
                                       raw4: sockets.raw4, raw6: sockets.raw6, configuration: configuration,
                                       logger: logger, addressSource: addressSource, localAddresses: localAddresses,
                                       clock: clock) {
                Self.pathSnapshots(inside: insideInbox, outside: outsideInbox)
            }
        } catch {
            throw .setup("event loop", "\(error)")
        }
    }

    /// Starts the threads; `then` runs on the control thread once the loops have finished. Call once.
    func start(then finished: @escaping @Sendable () -> Void) {
        let (control, inside, outside) = (self.control, self.inside, self.outside)
        let started = [
            WorkerThread(name: "synaptic-outside") { outside.run() },
            WorkerThread(name: "synaptic-inside") { inside.run() },
            WorkerThread(name: "synaptic-control") {
                control.run()
                // The control plane has finished its CLOSEs: stop the data paths.
                inside.inbox.post(.stop)
                outside.inbox.post(.stop)
                finished()
            },
        ]
        threads.withLock { $0 = started }
    }

    /// Sends CLOSE to every established peer, waits up to `NodeLimits.closeWait` for the CLOSE_ACKs, then
    /// the loops end. Returns at once; `wait()` for the end.
    func stop() {
        control.inbox.post(.shutdown)
    }

    /// Applies new peers and policy (see ControlPlane).
    func reload(_ configuration: NodeConfiguration) {
        control.inbox.post(.reload(configuration))
    }

    /// Blocks until every loop has returned (at once if never started).
    func wait() {
        for thread in threads.withLock({ $0 }) { thread.join() }
    }

    /// A snapshot of the loops for `identity`, up since `startedAt` (on `clock`); nil if a thread did not
    /// answer within `NodeLimits.snapshotWait`.
    func status(identity: NodeStatus.Identity, startedAt: Instant) -> NodeStatus? {
        let deadline = DispatchTime.after(NodeLimits.snapshotWait)
        let controlReply = Reply<ControlSnapshot>()
        control.inbox.post(.snapshot(controlReply))
        guard let (insideSnapshot, outsideSnapshot) = Self.pathSnapshots(inside: inside.inbox, outside: outside.inbox,
                                                                         until: deadline),
              let controlSnapshot = controlReply.wait(until: deadline) else { return nil }
        return NodeStatus(identity: identity, uptime: clock.now() - startedAt, control: controlSnapshot,
                          inside: insideSnapshot, outside: outsideSnapshot,
                          tun: LinkStatistics.read(interface: identity.tun))
    }

    /// Copies of both data paths' SAs and counters, taken on their threads (nil if one does not answer by
    /// `deadline`).
    private static func pathSnapshots(inside: Inbox<InsideMessage>, outside: Inbox<OutsideMessage>,
                                      until deadline: DispatchTime = .after(NodeLimits.snapshotWait))
        -> (InsideSnapshot, OutsideSnapshot)? {
        let insideReply = Reply<InsideSnapshot>()
        let outsideReply = Reply<OutsideSnapshot>()
        inside.post(.snapshot(insideReply))
        outside.post(.snapshot(outsideReply))
        guard let insideSnapshot = insideReply.wait(until: deadline),
              let outsideSnapshot = outsideReply.wait(until: deadline) else { return nil }
        return (insideSnapshot, outsideSnapshot)
    }
}

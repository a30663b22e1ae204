// ControlPlane: the thread that owns HIPHost, feeds it every event and performs its actions.
//
// Loop: wait (epoll) for the inbox, the raw HIP sockets, or the core's timer
//   → inbox: HIP packets from UDP, outbound data for a peer without SA (→ its locators), ESP sources (the
//            core hears of traffic on an SA and of new source addresses), SAs due for rekeying (→ a rekey),
//            unknown SPIs from a peer's address (→ a base exchange if it has no association, at most one
//            per peer per `NodeLimits.unknownSPIBackoff`: UnknownSPIRecovery), close requests, reload,
//            status snapshots, shutdown
//   → raw 139: IPv4 (header parsed for the addresses) and IPv6 (addresses from the socket)
//   → local address source (LocalAddressSource: the rtnetlink AddressMonitor on a host): local addresses
//     appeared or went (IPv6 ones once DAD lets them be used) → the core announces them to every peer with
//     UPDATE; routes changed → the same list again, so I1, I2 and UPDATEs in flight go out again at once
//     (an overflow re-reads the current list)
//   (per wakeup at most `NodeLimits.controlMessagesPerWakeup` inbox messages and
//   `NodeLimits.batchesPerWakeup` batches per raw socket: the rest waits for the next round, so a flood
//   delays but never starves the timers or the other sources)
//   → timer: `.wake(at:)` deadline passed → `.timer`
//   → registration check (every `NodeLimits.registrationCheckInterval`): a base exchange with each server
//     that has no live association (RFC 8003 registration in I2; renewals are the core's)
//   → traffic count (every `NodeLimits.trafficCountInterval` at most, more often for a short UAL or NAT
//     keepalive): the packets each peer's SAs carried go to the core, which closes associations unused for
//     the UAL (RFC 7401 §4.4.3) and sends NAT keepalives only on paths with nothing sent (RFC 9028 §4.10)
//   → each event's actions performed in order (ActionExecutor).
// Reload: peers (PeerDirectory: refused fixed LSIs logged) and policy replaced → removed peers without a
// live association forgotten → associations no longer allowed closed → a changed peer's new locators join
// its association's locator set (verified before use; the association stays).
// Established associations of configured peers get the peer's configured locators too (failover targets).
// Time: every `now` (the core's events and the loop's deadlines) comes from the injected NodeClock.
// Shutdown: CLOSE to every established peer, then the loop ends when no association is CLOSING any more
// or after `NodeLimits.closeWait`.
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// The control plane. Its thread runs `run()`; other threads only `inbox.post`. Hence `@unchecked Sendable`.
final class ControlPlane: @unchecked Sendable {
    let inbox: Inbox<ControlMessage>
    private var host: HIPHost
    private let executor: ActionExecutor
    private let policy: ReloadablePolicy
    /// The raw HIP sockets (the executor sends on them; this loop receives).
    private let raw4: RawHIPSocket?
    private let raw6: RawHIPSocket?
    private let logger: Logger
    private let poller: EventPoller
    private let events = ReadyEvents(capacity: 8)
    /// Raw HIP packets are received into `rawMemory`'s slots (room for an IPv4 header and the largest packet).
    private let rawMemory = PacketBatch(capacity: NodeLimits.rawHIPBatchCapacity,
                                        bufferSize: 2 * NodeProtocol.maximumHIPPacketLength)
    private let rawBatch = DatagramBatch(capacity: NodeLimits.rawHIPBatchCapacity)
    private var configuration: NodeConfiguration
    private var closingDeadline: Instant?
    /// Per-SA packet counts of the data paths (taken on their threads), for the idle check.
    private let pathSnapshots: @Sendable () -> (InsideSnapshot, OutsideSnapshot)?
    private var trafficCountAt: Instant?
    /// When to check that every server has an association with us again (`registerWithServers`).
    private var registrationCheckAt: Instant?
    /// "No locator" lines: local traffic to many unknown HITs must not flood the log.
    private var noLocatorLog = RateLimitedLog(perSecond: NodeLimits.rejectionLogsPerSecond)
    /// Local address changes: the kernel's notifications (nil: not subscribed, or failed).
    private var addressSource: (any LocalAddressSource)?
    /// The time given to the core and used for the loop's deadlines.
    private let clock: any NodeClock
    /// Our usable addresses, and the list the core was last given.
    private var addresses = LocalAddresses()
    private var announcedAddresses: [IPAddress] = []
    /// Raw HIP packets from addresses that are not known peers', per Sender's HIT, and those dropped.
    private var rawSenders: HIPSenderLimiter
    private var rawSenderLimited: UInt64 = 0
    /// Which peers unknown SPIs may start a base exchange with, and when.
    private var unknownSPIRecovery = UnknownSPIRecovery(backoff: NodeLimits.unknownSPIBackoff,
                                                        peerLimit: NodeLimits.unknownSPIBackoffPeers)

    /// - Parameter inbox: the control inbox (made first, so the paths can post to it); its poller is the loop's.
    /// - Parameter pathSnapshots: copies of the data paths' SAs and counters (waits for their threads).
    /// - Parameter addressSource: local address changes (nil: none heard); `localAddresses`: the addresses
    ///   before the first change.
    init(inbox: Inbox<ControlMessage>, host: HIPHost, executor: ActionExecutor, policy: ReloadablePolicy,
         raw4: RawHIPSocket?, raw6: RawHIPSocket?, configuration: NodeConfiguration, logger: Logger,
         addressSource: (any LocalAddressSource)?, localAddresses: [InterfaceAddress],
         clock: any NodeClock = MonotonicClock(),
         pathSnapshots: @escaping @Sendable () -> (InsideSnapshot, OutsideSnapshot)?) throws(SystemError) {
        self.pathSnapshots = pathSnapshots
        self.host = host
        self.executor = executor
        self.policy = policy
        self.raw4 = raw4
        self.raw6 = raw6
        for index in 0..<rawMemory.capacity { rawBatch.setReceiveBuffer(at: index, rawMemory.buffer(at: index)) }
        self.configuration = configuration
        self.logger = logger
        self.inbox = inbox
        poller = inbox.poller
        if let raw4 { try poller.register(raw4.fileDescriptor, token: 4, for: .readable) }
        if let raw6 { try poller.register(raw6.fileDescriptor, token: 6, for: .readable) }
        self.clock = clock
        rawSenders = HIPSenderLimiter(now: clock.now())
        self.addressSource = addressSource
        addresses.replace(with: localAddresses)
        if let addressSource {
            try poller.register(addressSource.fileDescriptor, token: Self.addressSourceToken, for: .readable)
        }
    }

    private static let addressSourceToken: UInt64 = 8

    deinit {
        poller.close()
    }

    /// The loop: returns once shutdown has finished.
    func run() {
        executor.publishPeers()
        announcedAddresses = addresses.list
        logger.info("local addresses: \(describe(announcedAddresses))")
        let start = clock.now()
        perform(host.handle(.configuredLocators(executor.directory.locatorAddresses), now: start), now: start)
        perform(host.handle(.localAddressesChanged(announcedAddresses), now: start), now: start)
        trafficCountAt = trafficCountInterval.map { clock.now() + $0 }
        registerWithServers(now: start)
        while true {
            var now = clock.now()
            if let wake = executor.wakeAt, wake <= now {
                executor.timerServed()
                perform(host.handle(.timer, now: now), now: now)
                now = clock.now()
            }
            if let check = trafficCountAt, check <= now, let interval = trafficCountInterval {
                countTraffic(now: now)
                trafficCountAt = now + interval
            }
            if let check = registrationCheckAt, check <= now { registerWithServers(now: now) }
            if let closingDeadline, now >= closingDeadline
                || !host.allAssociations.contains(where: { $0.state == .closing }) {
                return
            }
            let count: Int
            do {
                count = try poller.wait(into: events, timeoutMilliseconds: timeout(now: now))
            } catch {
                logger.error("control plane: \(error)")
                return
            }
            for index in 0..<count {
                switch events[index].token {
                case EventPoller.wakeToken: handleInbox()
                case 4: if let raw4 { receive(raw4) }
                case Self.addressSourceToken: addressesChanged()
                default: if let raw6 { receive(raw6) }
                }
            }
        }
    }

    /// Milliseconds until the next deadline (rounded up), or -1 for none.
    private func timeout(now: Instant) -> Int32 {
        let deadlines = [executor.wakeAt, closingDeadline, trafficCountAt, registrationCheckAt].compactMap { $0 }
        return deadlines.min()?.timeoutMilliseconds(from: now) ?? -1
    }

    private func perform(_ actions: [Action], now: Instant) {
        executor.perform(actions, now: now)
        for case .report(.established(let peer, _, _)) in actions {
            // A configured peer's other locators become failover targets of its new association.
            offerConfiguredLocators(of: peer, now: now)
            if host.association(for: peer)?.exchangeTransport == .udpAfterRawUnanswered {
                logger.notice("association with \(executor.label(peer)) runs over UDP: our I1s over raw HIP went unanswered (raw HIP blocked on the path, or the peer was not up yet)")
            }
        }
        // A server that stopped renewing our registration or answering our UPDATEs (it restarted, or is
        // gone): a new base exchange registers again (a CLOSE would wait for a CLOSE_ACK it cannot give).
        for case .report(let report) in actions where closingDeadline == nil {
            let peer: HIT
            switch report {
            case .registrationExpired(let hit, _), .updateUnanswered(let hit): peer = hit
            default: continue
            }
            guard configuration.servers.contains(where: { $0.hit == peer }),
                  host.association(for: peer)?.state == .established else { continue }
            logger.notice("\(executor.label(peer)) no longer answers: a new base exchange to register again")
            requestExchange(with: peer, replacing: true, now: now)
        }
    }

    /// Starts a base exchange (which registers, RFC 8003) with each server we have no live association
    /// with; checked again every `NodeLimits.registrationCheckInterval`.
    private func registerWithServers(now: Instant) {
        registrationCheckAt = configuration.servers.isEmpty ? nil : now + NodeLimits.registrationCheckInterval
        guard closingDeadline == nil else { return }
        for server in configuration.servers where !isLive(host.association(for: server.hit)) {
            requestExchange(with: server.hit, now: now)
        }
    }

    /// Hands the core the configured locators of `peer` for its association's locator set (UNVERIFIED);
    /// returns them (empty: not configured, or no association).
    @discardableResult
    private func offerConfiguredLocators(of peer: HIT, now: Instant) -> [Endpoint] {
        guard let current = host.association(for: peer)?.peerEndpoint else { return [] }
        let endpoints = executor.directory.configuredEndpoints(for: peer, like: current)
        guard !endpoints.isEmpty else { return [] }
        executor.perform(host.handle(.peerLocators(peer: peer, endpoints: endpoints), now: now), now: now)
        return endpoints
    }

    // MARK: - Local addresses

    /// Reads the address source; when the usable addresses changed, the core announces them.
    private func addressesChanged() {
        guard let addressSource else { return }
        let changes: [AddressMonitor.Change]
        do {
            changes = try addressSource.read()
        } catch {
            logger.error("address monitor: \(error); local address changes are no longer heard")
            try? poller.unregister(addressSource.fileDescriptor)
            self.addressSource = nil
            return
        }
        for change in changes {
            if change == .resyncNeeded {
                do {
                    addresses.replace(with: try addressSource.currentAddresses())
                    logger.notice("address monitor overflowed: local addresses read again")
                } catch {
                    logger.error("address monitor overflowed and the addresses could not be read again: \(error)")
                }
            } else {
                addresses.apply(change)
            }
        }
        let list = addresses.list
        if list == announcedAddresses {
            // Only routes changed: what is in flight may get through now, so it goes out again at once.
            guard changes.contains(.routesChanged) else { return }
        } else {
            logger.info("local addresses changed: \(describe(list))")
            announcedAddresses = list
        }
        let now = clock.now()
        perform(host.handle(.localAddressesChanged(list), now: now), now: now)
    }

    private func describe(_ list: [IPAddress]) -> String {
        list.isEmpty ? "none usable" : list.map(\.description).joined(separator: ", ")
    }

    // MARK: - Inbox

    /// Handles at most `NodeLimits.controlMessagesPerWakeup` messages (the inbox wakes the poller again if
    /// more wait), so HIP packets queued by the outside path cannot starve the timers and raw sockets.
    private func handleInbox() {
        for message in inbox.drain(limit: NodeLimits.controlMessagesPerWakeup) {
            let now = clock.now()
            switch message {
            case .packet(let bytes, let source, let destination):
                perform(host.handle(.packet(bytes: bytes, source: source, destination: destination), now: now), now: now)
            case .outboundData(let peer):
                requestExchange(with: peer, now: now)
            case .espSource(let peer, let spi, let source):
                let endpoint = Endpoint(address: IPAddress(source.address), transport: .udp(port: source.port))
                perform(host.handle(.espReceived(peer: peer, spi: spi, source: endpoint), now: now), now: now)
            case .rekeyWanted(let peer, let spi, let direction):
                logger.info("\(direction) SA \(hex(spi)) with \(executor.label(peer)) reached its rekey threshold: rekeying")
                perform(host.handle(.rekey(peer: peer), now: now), now: now)
            case .unknownSPI(let source):
                recoverFromUnknownSPI(from: source, now: now)
            case .close(let peer):
                perform(host.handle(.close(peer: peer), now: now), now: now)
            case .reload(let new):
                reload(new, now: now)
            case .snapshot(let reply):
                reply.deliver(snapshot())
            case .shutdown:
                beginShutdown(now: now)
            }
        }
    }

    /// A base exchange with `peer` at its known endpoints; `replacing` an established association that the peer
    /// lost.
    private func requestExchange(with peer: HIT, replacing: Bool = false, now: Instant) {
        // A server's locators (its own, or a peer's reached via it) are used over UDP only: a relay works
        // only on UDP (RFC 9028), and our registration must see the address a NAT gives us there.
        let serverAddresses = Set(configuration.servers.flatMap { $0.locators.map(\.address) })
        let endpoints = executor.directory.endpoints(for: peer).filter {
            $0.transport != .raw || !serverAddresses.contains($0.address)
        }
        guard !endpoints.isEmpty else {
            let (allowed, suppressed) = noLocatorLog.admit(now: now)
            if allowed {
                let more = suppressed > 0 ? " (\(suppressed) more peers without a locator not logged)" : ""
                logger.notice("no locator for \(executor.label(peer)): dropping the packets queued for it\(more)")
            }
            executor.discardPending(for: peer)
            return
        }
        guard closingDeadline == nil else { return }
        let event: Event = replacing ? .restartExchange(peer: peer, endpoints: endpoints)
            : .outboundData(peer: peer, endpoints: endpoints)
        perform(host.handle(event, now: now), now: now)
    }

    /// A peer at `source` sent ESP we cannot open: if we have no association with it, it still uses SAs from
    /// before, so start a new base exchange (its reply replaces them), at most once per peer per
    /// `NodeLimits.unknownSPIBackoff` (UnknownSPIRecovery): the ESP may be spoofed.
    private func recoverFromUnknownSPI(from source: IPAddress, now: Instant) {
        for peer in executor.directory.peers(at: source) where policy.allows(peer) {
            guard unknownSPIRecovery.admit(peer, state: host.association(for: peer)?.state, now: now) else { continue }
            logger.info("ESP with an unknown SPI from \(source): starting a base exchange with \(executor.label(peer))")
            requestExchange(with: peer, now: now)
        }
    }

    /// How often the data paths' packet counts go to the core: often enough for the UAL and the NAT
    /// keepalive to see traffic in time (a third of the keepalive interval); nil when neither is on.
    private var trafficCountInterval: Duration? {
        let settings = configuration.coreSettings
        let wanted = [settings.unusedAssociationLifetime.map { $0 / 2 }, settings.natKeepaliveInterval.map { $0 / 3 }]
            .compactMap { $0 }
        return wanted.isEmpty ? nil : min(wanted.min()!, NodeLimits.trafficCountInterval)
    }

    /// Hands the core the packets each peer's SAs carried (it closes associations unused for the UAL and
    /// keeps NAT bindings only where nothing else was sent).
    private func countTraffic(now: Instant) {
        guard let (inside, outside) = pathSnapshots() else { return }
        var packets: [HIT: TrafficCount] = [:]
        for sa in inside.outbound { packets[sa.peer, default: TrafficCount(sent: 0, received: 0)].sent += sa.counters.packetsOut }
        for sa in outside.inbound { packets[sa.peer, default: TrafficCount(sent: 0, received: 0)].received += sa.counters.packetsIn }
        perform(host.handle(.trafficCounts(packets), now: now), now: now)
    }

    private func beginShutdown(now: Instant) {
        guard closingDeadline == nil else { return }
        closingDeadline = now + NodeLimits.closeWait
        let closing = host.allAssociations.filter { [.established, .r2Sent].contains($0.state) }
        if !closing.isEmpty {
            logger.info("sending CLOSE to \(closing.map { executor.label($0.peerHIT) }.joined(separator: ", "))")
        }
        for association in closing {
            perform(host.handle(.close(peer: association.peerHIT), now: now), now: now)
        }
    }

    // MARK: - Raw HIP

    /// Receives and handles at most `NodeLimits.batchesPerWakeup` batches, then returns to the poller
    /// (level-triggered: it reports the socket again if more wait), so a flood cannot starve the inbox
    /// and the timers. Packets from addresses that are not known peers' go to the core within their
    /// Sender's HIT's rate (HIPSenderLimiter), as those from UDP do.
    private func receive(_ socket: RawHIPSocket) {
        for _ in 0..<NodeLimits.batchesPerWakeup {
            guard let received = try? socket.receive(into: rawBatch), received > 0 else { return }
            for index in 0..<received {
                let packet = UnsafeRawBufferPointer(rawBatch.packet(at: index))
                guard !rawBatch.isTruncated(at: index) else { continue }
                let hip: UnsafeRawBufferPointer
                let source: InetAddress
                let destination: InetAddress
                if socket.family == .v4 {
                    guard let header = IPv4Header(parsing: packet) else { continue }
                    hip = UnsafeRawBufferPointer(rebasing: packet[header.headerLength..<min(header.totalLength, packet.count)])
                    (source, destination) = (.v4(header.source), .v4(header.destination))
                } else {
                    guard let peer = rawBatch.peer(at: index), let local = rawBatch.destination(at: index) else { continue }
                    (hip, source, destination) = (packet, peer.address, local)
                }
                let now = clock.now()
                // Checked before the packet is copied out: a flood from unknown addresses costs no allocation.
                guard executor.publishedAddresses.contains(source) || rawSenders.admit(hip, now: now) else {
                    rawSenderLimited += 1
                    continue
                }
                perform(host.handle(.packet(bytes: Array(hip), source: Endpoint(address: IPAddress(source), transport: .raw),
                                            destination: IPAddress(destination)), now: now), now: now)
            }
            if received < rawBatch.capacity { return }
        }
    }

    // MARK: - Reload and status

    private func reload(_ new: NodeConfiguration, now: Instant) {
        let changes = executor.directory.replacePeers(new.knownPeers)
        perform(host.handle(.configuredLocators(executor.directory.locatorAddresses), now: now), now: now)
        for peer in changes.added { logger.info("reload: peer added: \(describe(peer))") }
        for peer in changes.removed { logger.info("reload: peer removed: \(describe(peer))") }
        for peer in changes.changed { logger.info("reload: peer changed: \(describe(peer))") }
        for refused in changes.refusedLSIs { logger.warning("reload: \(describe(refused))") }
        let policyChanged = policy.replace(with: new)
        if policyChanged {
            logger.info("reload: policy now allows \(new.effectivePolicy.hits.map { "\($0.count) peers" } ?? "any peer")")
        }
        if changes.isEmpty && !policyChanged {
            logger.info("reload: peers and policy unchanged")
        }
        for ignored in configuration.restartOnlyChanges(to: new) {
            logger.notice("reload: \(ignored) changed; takes effect after a restart")
        }
        // A removed peer without a live association leaves nothing behind (the others go when it ends).
        for peer in changes.removed where !isLive(host.association(for: peer.hit)) { executor.forget(peer.hit) }
        executor.publishPeers()
        for association in host.allAssociations where !policy.allows(association.peerHIT)
            && [.established, .r2Sent, .i1Sent, .i2Sent].contains(association.state) {
            logger.info("reload: closing the association with \(executor.label(association.peerHIT)): no longer allowed")
            perform(host.handle(.close(peer: association.peerHIT), now: now), now: now)
        }
        // A changed peer keeps its association: its configured locators join the locator set (UNVERIFIED:
        // verified before ESP goes there, e.g. when the current locator stops answering).
        for peer in changes.changed {
            let endpoints = offerConfiguredLocators(of: peer.hit, now: now)
            guard !endpoints.isEmpty else { continue }
            let list = endpoints.map(\.description).joined(separator: ", ")
            logger.info("reload: \(executor.label(peer.hit)) keeps its association; locators to verify: \(list)")
        }
        if new.rekeyThresholds != configuration.rekeyThresholds {
            logger.info("reload: rekey thresholds now \(new.rekeyThresholds)")
            executor.publish(thresholds: new.rekeyThresholds)
            configuration.rekeyThresholds = new.rekeyThresholds
        }
        configuration.peers = new.peers
        configuration.allowedPeers = new.allowedPeers
    }

    /// Whether `association` is in use or being set up (not gone, closed or failed).
    private func isLive(_ association: Association?) -> Bool {
        association.map { ![.closed, .failed].contains($0.state) } ?? false
    }

    private func describe(_ refused: PeerChanges.RefusedLSI) -> String {
        let holder = switch refused.holder {
        case .ourselves: "our own LSI"
        case .peer(let hit): "the LSI of \(executor.label(hit))"
        }
        let kept = executor.directory.assignedLSI(of: refused.peer.hit).map { "\(IPAddress.v4($0))" } ?? "none"
        return "peers[\(refused.index)].lsi of \(executor.label(refused.peer.hit)): \(IPAddress.v4(refused.lsi)) is "
            + "already \(holder); keeping \(kept)"
    }

    private func describe(_ peer: NodeConfiguration.Peer) -> String {
        let locators = peer.locators.map(\.description).joined(separator: ", ")
        return "\(peer.name.map { "\($0) " } ?? "")\(peer.hit) at [\(locators)]"
    }

    private func snapshot() -> ControlSnapshot {
        let directory = executor.directory
        let associations = host.allAssociations.map { association in
            let peer = association.peerHIT
            let record = executor.records[peer]
            let relay = relay(for: association)
            return ControlSnapshot.Association(
                peer: peer, name: directory.name(of: peer), lsi: directory.assignedLSI(of: peer),
                state: association.state, role: association.role ?? record?.role,
                exchangeTransport: association.exchangeTransport, locator: association.peerEndpoint,
                locators: association.peerLocators, inboundSPI: association.inboundSPI,
                outboundSPI: association.outboundSPI, suite: association.espSuite,
                exchangedAt: record?.completedAt, latency: record?.latency, relay: relay,
                relayName: relay.flatMap(directory.name(of:)), registration: association.registration)
        }
        return ControlSnapshot(associations: associations.sorted { $0.peer < $1.peer }, core: host.counters,
                               sendFailures: executor.sendFailures, rawSenderLimited: rawSenderLimited,
                               unknownSPIExchanges: unknownSPIRecovery.started,
                               registrations: host.registrations.sorted { $0.peer < $1.peer }
                                   .map { ($0, directory.name(of: $0.peer)) },
                               now: clock.now())
    }

    /// The server our packets to an association's peer go through: one the core knows as such (we
    /// registered with it, or were reached through it), or a configured server whose locator the peer's
    /// current locator is (a peer reached `via` a server we did not register with).
    private func relay(for association: Association) -> HIT? {
        if let server = host.relay(for: association.peerHIT) { return server }
        guard let current = association.peerEndpoint else { return nil }
        return configuration.servers.first { server in
            server.hit != association.peerHIT && server.locators.contains {
                $0.address == current.address && current.transport == .udp(port: $0.port)
            }
        }?.hit
    }
}

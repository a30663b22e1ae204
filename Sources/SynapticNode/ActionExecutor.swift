// ActionExecutor: performs what HIPHost asks for, in order, on the control thread.
//
//   .send(packet)      → HIPTransmitter (UDP with zero marker, or raw 139 with the checksum)
//   .installSA(pair)   → data plane (inbound, then outbound with its ESP destination), keylog, peer table
//                        (a new LSI or peer address is published to the data paths)
//   .installInboundSA  → data plane (one more inbound SA), keylog
//   .installOutboundSA → data plane (replaces the peer's outbound SA, ESP to its current locator), keylog
//   .retireInboundSA   → data plane
//   .moveSA            → data plane (the outbound SA's destination), peer table (the new address is
//                        published to the outside path)
//   .removeSA          → data plane
//   .releaseSPI        → nothing (the core's allocator has it back)
//   .relayRoutes       → data plane (the client's Data Relay routes, endpoints as UDP socket addresses; a
//                        route with a raw-IP or unusable endpoint is left out, logged at debug level)
//   .wake(at:)         → the one timer (`wakeAt`), replacing the previous request
//   .report(report)    → one log line (rejections rate-limited), exchange records, and on failure the
//                        peer's queued packets are dropped (counted) instead of waiting forever; when an
//                        association ends (closed, failed) what the node kept about an unconfigured peer
//                        goes (`forget`), so peers that came and went leave nothing behind
import Foundation
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// Performs actions. Owned by the control thread (tests drive it directly); not Sendable.
final class ActionExecutor {
    private let transmitter: any HIPTransmitter
    private let dataPlane: any SecurityAssociationSink
    private let keyLog: KeyLog?
    private let logger: Logger
    var directory: PeerDirectory
    /// When the core wants `.timer` next.
    private(set) var wakeAt: Instant?
    /// The last completed base exchange per peer.
    private(set) var records: [HIT: ExchangeRecord] = [:]
    /// Where each peer's current SAs send ESP (for the "up" log line).
    private var locators: [HIT: Endpoint] = [:]
    /// The peer addresses the outside path was last told (the raw HIP path uses them too).
    private(set) var publishedAddresses: Set<InetAddress> = []
    /// HIP packets that could not be sent.
    private(set) var sendFailures: UInt64 = 0
    private var rejectionLog = RateLimitedLog(perSecond: NodeLimits.rejectionLogsPerSecond)

    init(transmitter: any HIPTransmitter, dataPlane: any SecurityAssociationSink, directory: PeerDirectory,
         keyLog: KeyLog?, logger: Logger) {
        self.transmitter = transmitter
        self.dataPlane = dataPlane
        self.directory = directory
        self.keyLog = keyLog
        self.logger = logger
    }

    /// Performs `actions` in order.
    func perform(_ actions: [Action], now: Instant) {
        for action in actions {
            switch action {
            case .send(let packet):
                if !transmitter.send(packet) {
                    sendFailures += 1
                    logger.debug("could not send \(packet.type) to \(packet.destination)")
                }
            case .installSA(let pair):
                install(pair)
            case .installInboundSA(let sa):
                let endpoints = saEndpoints(local: sa.localHIT, peer: sa.peerHIT)
                dataPlane.install(inbound: InboundInstall(spi: sa.spi, suite: sa.suite, keys: sa.keys, endpoints: endpoints))
                keyLog?.record(sa, inbound: true, peerAddress: sa.peerEndpoint.address)
            case .installOutboundSA(let sa):
                guard let destination = espDestination(for: sa.peerHIT, endpoint: sa.peerEndpoint) else { continue }
                dataPlane.install(outbound: OutboundInstall(spi: sa.spi, suite: sa.suite, keys: sa.keys,
                                                            endpoints: saEndpoints(local: sa.localHIT, peer: sa.peerHIT),
                                                            destination: destination))
                keyLog?.record(sa, inbound: false, peerAddress: sa.peerEndpoint.address)
            case .retireInboundSA(_, let spi):
                dataPlane.retire(inboundSPI: spi)
            case .moveSA(let peer, let spi, let endpoint, _):
                guard let destination = espDestination(for: peer, endpoint: endpoint) else { continue }
                follow(peer, to: endpoint)
                dataPlane.move(peer: peer, outboundSPI: spi, destination: destination)
            case .removeSA(let peer, let inboundSPI, let outboundSPI):
                dataPlane.remove(peer: peer, inboundSPI: inboundSPI, outboundSPI: outboundSPI)
            case .relayRoutes(let client, let routes):
                relay(client, routes)
            case .releaseSPI:
                break
            case .wake(let instant):
                wakeAt = instant
            case .report(let report):
                log(report, now: now)
            }
        }
    }

    /// The timer request was served.
    func timerServed() {
        wakeAt = nil
    }

    /// Rejections that happen in normal operation: logged at debug level only (still counted).
    static let routineRejections: Set<RejectReason> = [.fromOurselves, .unexpected, .staleR1, .simultaneousOpenYield,
                                                        .staleUpdate]

    /// Tells the inside path which peers are reachable by LSI, and the outside path the known peers'
    /// addresses (when they changed).
    func publishPeers() {
        dataPlane.publish(peerLSIs: directory.peerLSIs)
        publishPeerAddresses()
    }

    private func publishPeerAddresses() {
        let addresses = directory.peerAddresses
        guard addresses != publishedAddresses else { return }
        publishedAddresses = addresses
        dataPlane.publish(peerAddresses: addresses)
    }

    /// New rekey thresholds for the data paths (reload).
    func publish(thresholds: RekeyThresholds) {
        dataPlane.publish(thresholds: thresholds)
    }

    /// Drops the packets queued for `peer` (counted by the inside path).
    func discardPending(for peer: HIT) {
        dataPlane.discardPending(peer: peer)
    }

    /// The association with `peer` ended (or never will be): unless the peer is configured, its endpoint,
    /// LSI (the inside path is told) and exchange record are dropped.
    func forget(_ peer: HIT) {
        guard directory.configured[peer] == nil else { return }
        records[peer] = nil
        locators[peer] = nil
        if directory.forget(peer) { dataPlane.publish(peerLSIs: directory.peerLSIs) }
        publishPeerAddresses()
    }

    /// "name (HIT)" or the HIT.
    func label(_ peer: HIT) -> String {
        directory.name(of: peer).map { "\($0) (\(peer))" } ?? "\(peer)"
    }

    private func install(_ pair: SecurityAssociationPair) {
        let peer = pair.peerHIT
        guard let destination = espDestination(for: peer, endpoint: pair.peerEndpoint) else { return }
        let hadLSI = directory.assignedLSI(of: peer) != nil
        let endpoints = saEndpoints(local: pair.localHIT, peer: peer)
        follow(peer, to: pair.peerEndpoint)   // before the LSIs: an unconfigured peer's LSI needs its endpoint
        if !hadLSI { dataPlane.publish(peerLSIs: directory.peerLSIs) }
        dataPlane.install(
            inbound: InboundInstall(spi: pair.inboundSPI, suite: pair.suite, keys: pair.inboundKeys, endpoints: endpoints),
            outbound: OutboundInstall(spi: pair.outboundSPI, suite: pair.suite, keys: pair.outboundKeys,
                                      endpoints: endpoints, destination: destination))
        keyLog?.record(pair, destination: destination)
    }

    /// Hands `client`'s relay routes to the data plane with UDP socket addresses (the relay forwards ESP in
    /// UDP only; a route the core gave with a raw-IP endpoint, or an unusable address, is left out).
    private func relay(_ client: HIT, _ routes: [RelayRoute]) {
        let usable = routes.compactMap { route -> RelayTable<SocketAddress>.Route? in
            guard let client = route.client.udpSocketAddress, let peer = route.peer.udpSocketAddress else {
                logger.debug("relay route \(route.client) ⇄ \(route.peer) is not over UDP; not forwarded")
                return nil
            }
            return .init(client: client, peer: peer, toClientSPI: route.toClientSPI, toPeerSPI: route.toPeerSPI)
        }
        dataPlane.relay(client: client, routes: usable)
    }

    /// Where ESP to `peer` at `endpoint` goes (logged when unusable).
    private func espDestination(for peer: HIT, endpoint: Endpoint) -> SocketAddress? {
        guard let destination = directory.espDestination(for: peer, endpoint: endpoint) else {
            logger.error("association with \(label(peer)): unusable ESP destination \(endpoint)")
            return nil
        }
        return destination
    }

    /// The peer is at `endpoint` now: the peer table and the outside path's known addresses follow.
    private func follow(_ peer: HIT, to endpoint: Endpoint) {
        directory.remember(endpoint, for: peer)
        publishPeerAddresses()
        locators[peer] = endpoint
    }

    /// The identities an SA binds (the LSIs as the peer table has them; the peer's is assigned if needed).
    private func saEndpoints(local: HIT, peer: HIT) -> SAEndpoints {
        SAEndpoints(ownHIT: local, peerHIT: peer, ownLSI: directory.ownLSI, peerLSI: directory.lsi(for: peer))
    }

    private func log(_ report: Report, now: Instant) {
        switch report {
        case .established(let peer, let role, let latency):
            records[peer] = ExchangeRecord(role: role, latency: latency, completedAt: Date())
            let via = locators[peer].map { " via \($0)" } ?? ""
            let timing = latency.map { String(format: ", latency %.1f ms", $0.milliseconds) } ?? ""
            logger.info("association up: \(label(peer))\(via) (\(role == .initiator ? "initiator" : "responder")\(timing))")
        case .replaced(let peer):
            logger.info("association replaced: \(label(peer)) restarted and ran a new base exchange")
        case .closed(let peer):
            locators[peer] = nil
            logger.info("association down: \(label(peer))")
            forget(peer)
        case .failed(let peer, let reason):
            dataPlane.discardPending(peer: peer)
            logger.warning("association failed: \(label(peer)): \(reason)")
            forget(peer)
        case .rejected(let rejection):
            // Protocol noise, not attacks: our own packets back over loopback raw sockets, an R1 of an older
            // generation or an R2 after we moved on, the losing side of a simultaneous open, a retransmitted
            // UPDATE (a connectivity check) overtaken by a later one of the peer's. (Copies of the R1
            // we answered, from I1s sent on several transports, are counted as duplicates, not rejected.)
            guard !ActionExecutor.routineRejections.contains(rejection.reason) else {
                logger.debug("rejected \(rejection)")
                return
            }
            let (allowed, suppressed) = rejectionLog.admit(now: now)
            guard allowed else { return }
            let more = suppressed > 0 ? " (\(suppressed) more rejections not logged)" : ""
            logger.notice("rejected \(rejection)\(more)")
        case .moved(let peer, let endpoint):
            logger.info("peer moved: ESP to \(label(peer)) now goes to \(endpoint) (verified)")
        case .rekeyed(let peer, let inboundSPI, let outboundSPI):
            logger.info("rekeyed: \(label(peer)), SPIs in \(hex(inboundSPI)) out \(hex(outboundSPI))")
        case .unused(let peer, let lifetime):
            logger.info("closing the association with \(label(peer)): no traffic for \(lifetime)")
        case .updateUnanswered(let peer):
            logger.warning("UPDATE to \(label(peer)) unanswered after every retransmission (to each of its locators)")
        case .notified(let peer, let notification):
            logger.notice("NOTIFY from \(label(peer)): type \(notification.type)")
        case .registered(let server, let types, let lifetime):
            logger.info("registered with \(label(server)) for \(Self.names(types)) (lifetime \(lifetime.components.seconds) s)")
        case .registrationRefused(let server, let types, let failureType):
            logger.warning("\(label(server)) refused our registration for \(Self.names(types)) (REG_FAILED type \(failureType))")
        case .registrationExpired(let peer, let types):
            logger.notice("registration of \(Self.names(types)) with \(label(peer)) expired")
        case .directPath(let peer, let endpoint):
            logger.info("direct path to \(label(peer)): \(endpoint) answered a connectivity check, ESP no longer goes through the relay")
        case .directPathLost(let peer):
            logger.warning("direct path to \(label(peer)) went silent: traffic goes through the relay again")
        case .noDirectPath(let peer):
            logger.notice("no direct path to \(label(peer)): no candidate answered, traffic stays relayed")
        case .clientRegistered(let client, let types, let lifetime):
            logger.info("\(label(client)) registered for \(Self.names(types)) (lifetime \(lifetime.components.seconds) s)")
        }
    }

    /// Registration types for logs: "rendezvous, relay-hip".
    static func names(_ types: [UInt8]) -> String {
        types.isEmpty ? "nothing" : types.map(RegistrationType.name).joined(separator: ", ")
    }
}

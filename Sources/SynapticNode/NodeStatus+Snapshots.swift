// NodeStatus+Snapshots: a NodeStatus from the copies the three threads made (control, inside, outside).
//
// Per association: state, SPIs and exchange record from the control plane; packets, bytes and drops
// summed over the peer's SAs in both paths plus its pending queue. Node-wide drops: everything the paths
// drop before an SA is known, their own counters, pending queues of peers without an association, and
// the queues evicted from the pending table. Relay: the outside path's routes and relayed counts.
// (The data plane's "no SA" count is not a drop: those packets went to the pending queue.)
import Foundation
import HIPCore
import HIPWire
import SynapticDataPlane
import SynapticPlatform

extension NodeStatus {
    /// The node's fixed facts.
    struct Identity: Sendable {
        var hit: HIT
        var lsi: IPAddress
        var tun: String
        var udpPort: UInt16
        var rawHIP: Bool
        /// The status socket it serves, if any.
        var statusSocket: String? = nil
    }

    /// `tun`: the kernel's drop counters of our TUN (nil: unknown, e.g. an in-memory device).
    init(identity: Identity, uptime: Duration, control: ControlSnapshot, inside: InsideSnapshot,
         outside: OutsideSnapshot, tun: LinkStatistics? = nil) {
        var drops: [String: UInt64] = [:]
        if let tun {
            // Packets for us the kernel dropped because we did not read the TUN in time, and ours it refused.
            drops.add(["tun_kernel_dropped": tun.transmitDropped, "tun_write_refused": tun.receiveDropped])
        }
        drops.add(inside.unassigned)
        drops.add(outside.unassigned)
        drops.add([
            "unroutable": inside.counters.unroutable,
            "too_many_pending_peers": inside.counters.tooManyPendingPeers,
            "send_rejected": inside.counters.sendRejected,
            "send_dropped": inside.counters.sendDropped,
            "tun_read_errors": inside.counters.readErrors,
            "exchange_requests_refused": inside.counters.exchangeRequestsRefused,
            "oversized": outside.counters.oversized,
            "invalid_datagram": outside.counters.invalid,
            "hip_queue_full": outside.counters.hipQueueFull,
            "hip_sender_limited": outside.counters.hipSenderLimited + control.rawSenderLimited,
            "nat_keepalive": outside.counters.natKeepalives,
            "tun_write_dropped": outside.counters.tunDropped,
            "receive_errors": outside.counters.receiveErrors,
            "unknown_spi": outside.counters.parkedExpired,
            "relay_send_failed": outside.counters.relaySendFailures,
            "hip_send_failed": control.sendFailures,
        ])
        let associated = Set(control.associations.map(\.peer))
        for (peer, entry) in inside.pending where !associated.contains(peer) { drops.add(entry.drops) }
        drops.add(inside.retiredPendingDrops)

        let formatter = ISO8601DateFormatter()
        let associations = control.associations.map { association -> AssociationStatus in
            let peer = association.peer
            var status = AssociationStatus(
                name: association.name, hit: peer.description, lsi: association.lsi.map { IPAddress.v4($0).description },
                state: association.state.description,
                role: association.role.map { $0 == .initiator ? "initiator" : "responder" },
                hipTransport: association.exchangeTransport?.rawValue,
                locator: association.locator?.description, spiIn: association.inboundSPI,
                spiOut: association.outboundSPI, suite: association.suite?.displayName,
                lastExchange: association.exchangedAt.map { formatter.string(from: $0) },
                latencyMilliseconds: association.latency?.milliseconds,
                locators: association.locators.map { locator in
                    let port: UInt16? = if case .udp(let port) = locator.endpoint.transport { port } else { nil }
                    return LocatorInfo(address: locator.endpoint.address.description, port: port, state: locator.state,
                                       active: locator.carriesTraffic)
                },
                path: association.locator == nil ? nil : association.relay == nil ? "direct" : "relayed",
                relay: association.relay.map { association.relayName ?? $0.description },
                registration: association.registration.map {
                    Self.registration($0, name: association.name, now: control.now)
                })
            var perPeer: [String: UInt64] = [:]
            for sa in inside.outbound where sa.peer == peer {
                status.packetsOut += sa.counters.packetsOut
                status.bytesOut += sa.counters.bytesOut
                perPeer.add(sa.counters)
            }
            for sa in outside.inbound where sa.peer == peer {
                status.packetsIn += sa.counters.packetsIn
                status.bytesIn += sa.counters.bytesIn
                perPeer.add(sa.counters)
            }
            if let entry = inside.pending[peer] {
                status.queued = entry.queued
                perPeer.add(entry.drops)
            }
            status.drops = perPeer
            return status
        }

        var sent: [String: UInt64] = [:]
        var received: [String: UInt64] = [:]
        for type in PacketType.allCases {
            sent[StatusLabel.label(type)] = control.core.sent(type)
            received[StatusLabel.label(type)] = control.core.received(type)
        }
        var rejections: [String: UInt64] = [:]
        for reason in RejectReason.allCases { rejections[StatusLabel.label(reason)] = control.core.rejected(reason) }

        self.init(hit: identity.hit.description, lsi: identity.lsi.description, tun: identity.tun,
                  udpPort: Int(identity.udpPort), rawHIP: identity.rawHIP, statusSocket: identity.statusSocket,
                  uptimeSeconds: uptime.milliseconds / 1000,
                  associations: associations, hipPacketsSent: sent.filter { $0.value > 0 },
                  hipPacketsReceived: received.filter { $0.value > 0 }, rejections: rejections.filter { $0.value > 0 },
                  drops: drops,
                  associationEvents: [
                      "established": control.core.associationsEstablished, "failed": control.core.associationsFailed,
                      "closed": control.core.associationsClosed, "replaced": control.core.associationsReplaced,
                      "restarted_on_unknown_spi": control.unknownSPIExchanges,
                  ].filter { $0.value > 0 },
                  hipEvents: Self.hipEvents(control.core).filter { $0.value > 0 },
                  relay: RelayStatus(routes: outside.relayRoutes, clients: outside.relayClients,
                                     packets: outside.counters.relayedPackets, bytes: outside.counters.relayedBytes),
                  registrations: control.registrations.map { Self.registration($0.status, name: $0.name, now: control.now) })
    }

    /// A registration for status, its lifetime counted from the core's `now`.
    static func registration(_ registration: RegistrationStatus, name: String?, now: Instant) -> RegistrationInfo {
        RegistrationInfo(name: name, hit: registration.peer.description,
                         services: registration.types.map(RegistrationType.name),
                         expiresInSeconds: registration.expiresAt.map { max(0, ($0 - now).milliseconds / 1000) },
                         address: registration.address?.description, routes: registration.routes)
    }

    /// The core's event counters by status label (every label, zero or not).
    static func hipEvents(_ core: Counters) -> [String: UInt64] {
        ["retransmissions": core.retransmissions, "duplicate_i2_answered": core.duplicateI2sAnswered,
         "duplicate_r1": core.duplicateR1s, "puzzle_rotations": core.puzzleRotations,
         "puzzle_difficulty_raises": core.puzzleDifficultyRaises, "notifies_suppressed": core.notifiesSuppressed,
         "notify_reports_suppressed": core.notifyReportsSuppressed,
         "outbound_during_hold_down": core.outboundDuringHoldDown, "moves": core.moves, "rekeys": core.rekeys,
         "updates_unanswered": core.updatesUnanswered, "associations_unused": core.associationsUnused,
         "nat_keepalives_received": core.natKeepalivesReceived, "hip_relayed": core.relayedHIP,
         "r1_to_known_locators": core.r1sToKnownLocators, "r1_flood_puzzle": core.floodPuzzleR1s]
    }
}

extension [String: UInt64] {
    /// Adds the non-zero values of `counts`.
    mutating func add(_ counts: [String: UInt64]) {
        for (key, value) in counts where value > 0 { self[key, default: 0] += value }
    }

    /// Adds a data-plane counter set's drops (not its "no SA" count: those packets were queued).
    mutating func add(_ counters: TrafficCounters) {
        for reason in DropReason.allCases where reason != .noSecurityAssociation {
            let value = counters.drops(reason)
            if value > 0 { self[StatusLabel.label(reason), default: 0] += value }
        }
    }

    mutating func add(_ drops: PendingPackets.Drops) {
        add(["queue_full": drops.queueFull, "exchange_failed": drops.exchangeFailed, "queued_too_big": drops.tooBig])
    }
}

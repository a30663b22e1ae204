// HIPHost+Receive: a received HIP packet from bytes to the handler of its type.
//
// Stages: checksum (raw IP: must verify; UDP: ignored, RFC 5770/9028 carry 0) → strict parse (an unknown
// critical parameter in I1/I2/UPDATE is answered with NOTIFY UNSUPPORTED_CRITICAL_PARAMETER_TYPE, rate
// limited) → Sender's HIT not ours, Receiver's HIT ours (or NULL in an opportunistic I1 when allowed;
// another HIT: forwarded when we serve it, HIPHost+Relay) → RELAY_FROM/FROM checked (HIPHost+Relay) →
// I1 (rate limits: a known address of the claimed HIT its own, others per source then total), I2, NOTIFY (reports rate limited) handled by the host; a copy
// of the R1 answered counted as a duplicate; R1, R2, CLOSE, CLOSE_ACK, UPDATE routed to the peer's
// association.
import HIPCrypto
import HIPWire

extension HIPHost {
    mutating func receive(_ bytes: [UInt8], source: Endpoint, destination: IPAddress, now: Instant) -> [Action] {
        if case .raw = source.transport, !HIPChecksum.verify(bytes, source: source.address, destination: destination) {
            return [Self.reject(.badChecksum, bytes: bytes, source: source)]
        }
        let packet: HIPPacket
        do {
            packet = try HIPPacket.parse(bytes)
        } catch {
            if let type = error.unknownCriticalType {
                return unsupportedCritical(type, bytes: bytes, source: source, destination: destination, now: now)
            }
            return [Self.reject(.malformed, bytes: bytes, source: source)]
        }
        counters.countReceived(packet.type)
        var received = ReceivedPacket(packet: packet, bytes: bytes, source: source, destination: destination)
        guard packet.senderHIT != local.hit else { return [received.reject(.fromOurselves)] }
        let opportunistic = packet.type == .i1 && packet.receiverHIT == .null && local.settings.acceptsOpportunisticI1
        guard packet.receiverHIT == local.hit || opportunistic else { return forward(received, now: now) }
        switch arrivedVia(received) {
        case .failure(let reason): return [received.reject(reason)]
        case .success(let via): received.via = via
        }
        // RFC 8004 §5.2: an opportunistic I1 through a rendezvous server is not supported.
        if received.via != nil && packet.receiverHIT == .null { return [received.reject(.notForUs)] }

        switch packet.type {
        case .i1: return receiveI1(received, now: now)
        case .i2: return receiveI2(received, now: now)
        case .notify: return receiveNotify(received, now: now)
        case .r1: return receiveR1(received, now: now)
        case .r2: return routePacket(.r2(received), received, now: now)
        case .close: return routePacket(.close(received), received, now: now)
        case .closeAck: return routePacket(.closeAck(received), received, now: now)
        case .update: return routePacket(.update(received), received, now: now)
        }
    }

    /// A copy of the R1 an association in I2-SENT answered is counted, not rejected; other R1s go to the
    /// association.
    private mutating func receiveR1(_ r1: ReceivedPacket, now: Instant) -> [Action] {
        if associations[r1.packet.senderHIT]?.isCopyOfAnsweredR1(r1) == true {
            counters.duplicateR1s += 1
            return []
        }
        return routePacket(.r1(r1), r1, now: now)
    }

    private mutating func routePacket(_ input: Association.Input, _ received: ReceivedPacket, now: Instant) -> [Action] {
        guard associations[received.packet.senderHIT] != nil else { return [received.reject(.unexpected)] }
        return route(input, to: received.packet.senderHIT, now: now)
    }

    /// RFC 7401 §5.2.1: drop, and answer I1, I2 and UPDATE senders with NOTIFY 1 carrying the type.
    private mutating func unsupportedCritical(_ type: UInt16, bytes: [UInt8], source: Endpoint,
                                              destination: IPAddress, now: Instant) -> [Action] {
        var actions = [Self.reject(.unsupportedCriticalParameter, bytes: bytes, source: source)]
        guard let header = try? HIPHeader.parse(bytes), [.i1, .i2, .update].contains(header.type) else { return actions }
        let sender = header.senderHIT
        guard sender != local.hit, header.receiverHIT == local.hit || header.receiverHIT == .null else { return actions }
        if let notify = limitedNotify(to: sender, type: NotifyType.unsupportedCriticalParameterType,
                                      data: [UInt8(type >> 8), UInt8(truncatingIfNeeded: type)], now: now) {
            actions.append(.send(OutboundPacket(bytes: notify, type: .notify, destination: source, source: destination,
                                                peer: sender, isRetransmission: false)))
        }
        return actions
    }

    /// A signed NOTIFY, unless the NOTIFY rate limit is reached (then counted and nil).
    mutating func limitedNotify(to peer: HIT, type: UInt16, data: [UInt8], now: Instant) -> [UInt8]? {
        guard notifyLimiter.allow(now: now) else {
            counters.notifiesSuppressed += 1
            return nil
        }
        return try? local.notify(to: peer, type: type, data: data)
    }

    /// A rejection report for bytes that may not parse (type and sender from the header if it is valid).
    static func reject(_ reason: RejectReason, bytes: [UInt8], source: Endpoint) -> Action {
        let header = try? HIPHeader.parse(bytes)
        return .report(.rejected(Rejection(reason: reason, packetType: header?.type, peer: header?.senderHIT,
                                           source: source)))
    }

    /// RFC 7401 §6.7: answer with a precomputed R1 unless we lose a simultaneous open (Table 3). An I1 from
    /// an address known for the HIT it claims (KnownLocators) is answered within that address's own R1 rate;
    /// any other within the source's R1 rate and then the total one, and with the flood puzzle while I1s
    /// are refused for the total rate (and `CoreLimits.i1FloodMemory` after).
    private mutating func receiveI1(_ i1: ReceivedPacket, now: Instant) -> [Action] {
        let peer = i1.packet.senderHIT
        guard local.policy.allows(peer) else { return [i1.reject(.blockedByPolicy)] }
        if let existing = associations[peer], case .i1Sent = existing.phase, local.hit < peer {
            return [i1.reject(.simultaneousOpenYield)]
        }
        guard let groups = i1.packet.dhGroupList else { return [i1.reject(.missingParameter)] }
        let known = knownLocators.contains(i1.senderAddress, for: peer)
        if known {
            guard knownR1Limiter.allow(i1.senderAddress, now: now) else { return [i1.reject(.rateLimited)] }
            counters.r1sToKnownLocators += 1
        } else {
            guard r1SourceLimiter.allow(i1.senderAddress, now: now) else { return [i1.reject(.rateLimited)] }
            guard r1Limiter.allow(now: now) else {
                i1FloodUntil = now + CoreLimits.i1FloodMemory
                return [i1.reject(.rateLimited)]
            }
        }
        let flood = !known && i1FloodUntil.map { now < $0 } == true
        if flood { counters.floodPuzzleR1s += 1 }
        let r1 = pool.r1(to: peer, initiatorGroups: groups, source: i1.senderAddress, destination: i1.destination,
                         flood: flood, local: local)
        // Through a rendezvous server the R1 goes to the Initiator directly, naming the server (VIA_RVS,
        // RFC 8004 §5.3); through a relay it goes back to the relay with RELAY_TO (RFC 9028 §4.12).
        let (bytes, destination): ([UInt8]?, Endpoint)
        switch i1.via {
        case nil:
            (bytes, destination) = (r1, i1.source)
        case let via? where via.service == .rendezvous:
            (bytes, destination) = (Self.appending(.viaRVS([via.serverEndpoint.address.v4Mapped]), to: r1), via.origin)
        case let via?:
            guard let server = associations[via.server]?.session, case .udp(let port) = via.origin.transport else { return [] }
            let to = TransportAddress(port: port, address: via.origin.address.v4Mapped)
            (bytes, destination) = (Self.appending(.relayTo(to), hmac: ParameterType.relayHMAC, session: server, to: r1),
                                    via.serverEndpoint)
        }
        guard let bytes else { return [i1.reject(.localFailure)] }
        return [.send(OutboundPacket(bytes: bytes, type: .r1, destination: destination,
                                     source: i1.via == nil ? i1.destination : nil, peer: peer, isRetransmission: false))]
    }

    /// NOTIFY (RFC 7401 §6.13): reported only when its signature verifies against the peer's identity
    /// (known from the association, or a HOST_ID in the NOTIFY that hashes to the Sender's HIT); never
    /// changes state, except that a NAT keepalive's source is followed like other authenticated traffic. At most `CoreLimits.notificationsPerPacket` notifications per packet, within the
    /// report rate (replays are authentic too); the others are counted as suppressed.
    private mutating func receiveNotify(_ notify: ReceivedPacket, now: Instant) -> [Action] {
        let peer = notify.packet.senderHIT
        var identity = associations[peer]?.peerIdentity
        if identity == nil, let hostID = notify.packet.hostID,
           let included = try? PublicHostIdentity(algorithm: hostID.algorithm, hostIdentity: hostID.hostIdentity),
           included.hit == peer {
            identity = included
        }
        guard let identity, local.policy.allows(peer),
              PacketSealer.verifySignature(notify, identity: identity) else {
            return [notify.reject(.unauthenticatedNotify)]
        }
        let notifications = notify.packet.notifications
        guard !notifications.isEmpty else { return [notify.reject(.missingParameter)] }
        if notifications.allSatisfy({ $0.type == NotifyType.natKeepalive }) {
            // RFC 9028 §4.10: only keeps NAT bindings; its source may show a rebinding. Not reported.
            counters.natKeepalivesReceived += 1
            return route(.authenticated(source: notify.source), to: peer, now: now)
        }
        var reports: [Action] = []
        for notification in notifications.prefix(CoreLimits.notificationsPerPacket) {
            guard notifyReportLimiter.allow(now: now) else { break }
            reports.append(.report(.notified(peer: peer, notification: notification)))
        }
        counters.notifyReportsSuppressed += UInt64(notifications.count - reports.count)
        return reports
    }
}

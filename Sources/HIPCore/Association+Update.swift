// Association+Update: UPDATE (RFC 7401 §6.12) for mobility and multihoming (RFC 8046 §3.2, §5) and
// rekeying (RFC 7402 §6.8–6.10).
//
// Received UPDATE (R2-SENT, ESTABLISHED), in order; a rejected UPDATE changes nothing:
//   HIP_MAC → HIP_SIGNATURE → SEQ: the last one processed again → our reply again; older → stale →
//   ECHO_RESPONSE_SIGNED must echo the nonce of the locator we verify → ESP_INFO: OLD = NEW = the SPI we
//   send on (mobility), or OLD = it and NEW another (the peer rekeys); OLD 0 (a second SA pair) is not
//   supported → state: R2-SENT becomes ESTABLISHED, SEQ recorded, rekey keys derived and the new inbound SA
//   installed, LOCATOR_SET replaces the peer's set (a new preferred locator is verified before use), ACK
//   ends our UPDATE in flight, the echo makes its locator ACTIVE and ESP moves there → reply: our own UPDATE
//   if content is due (it carries the ACK and ECHO_RESPONSE_SIGNED), else UPDATE(ACK, [ECHO_RESPONSE]) to
//   where the peer's UPDATE came from.
// Sent UPDATE: SEQ, [ESP_INFO], [LOCATOR_SET of our addresses, type 1 with our inbound SPI, the first one
//   preferred], [DIFFIE_HELLMAN], [ACK], [ECHO_REQUEST_SIGNED], [ECHO_RESPONSE_SIGNED], HIP_MAC,
//   HIP_SIGNATURE; new content rebuilds it with the next SEQ; retransmitted with backoff, to the locator it
//   verifies, else to the current locator and in turn to the peer's others; after
//   `CoreLimits.updateAttemptsBeforeFailover` unanswered sends it also verifies another locator.
// ESP received (`espReceived`): R2-SENT → ESTABLISHED; traffic on a rekey's new inbound SA switches our
//   outbound SA and ends the old one's drain. A source of authenticated traffic (ESP, a new UPDATE or a NAT
//   keepalive over UDP) that is not the current locator is verified (if unknown) or used (if ACTIVE).
import HIPCrypto
import HIPWire

extension Association {
    // MARK: - Received UPDATE

    mutating func receiveUpdate(_ update: ReceivedPacket, now: Instant) -> [Action] {
        guard var session, [.r2Sent, .established].contains(state) else { return [update.reject(.unexpected)] }
        let packet = update.packet
        guard PacketSealer.verifyMAC(update, key: session.keys.incomingIntegrity, hash: session.keys.hash) else {
            return [update.reject(.macFailed)]
        }
        // Replays are dropped (or answered from the cache) before the signature costs anything: the HMAC
        // already shows the peer sent these bytes once.
        let id = packet.seq
        if let id, let last = session.update.peerID, id <= last {
            guard id == last else { return [update.reject(.staleUpdate)] }
            // A retransmission of the UPDATE we answered: the same answer again, to where this copy came from
            // (the first copy may have come from elsewhere, e.g. re-sent by someone on the path).
            guard let reply = session.update.reply else { return [] }
            return [send(reply, .update, to: update.source, from: update.destination, retransmission: true)]
        }
        guard PacketSealer.verifySignature(update, identity: session.peerIdentity) else {
            return [update.reject(.signatureFailed)]
        }
        // An echo of a nonce no longer outstanding verifies nothing (a replay, or a verification we replaced
        // meanwhile): alone it is rejected, next to new content it is ignored.
        var echoed: Endpoint?
        var answeredCheck: ConnectivityChecks.Check?
        if let echo = packet.echoResponseSigned {
            if let verify = session.update.due.verify, constantTimeEquals(echo, verify.nonce) {
                echoed = verify.endpoint
            } else if let check = session.checks.check(answeredBy: echo) {
                answeredCheck = check
            } else if id == nil {
                return [update.reject(.echoMismatch)]
            }
        }
        var peerRekey: ESPInfo?
        if let info = packet.espInfo, id != nil, info.oldSPI != info.newSPI {
            // OLD = NEW is mobility (nothing to do with the SAs). A NEW SPI we already use or answered is
            // the peer repeating its rekey's ESP_INFO in a later UPDATE.
            let repeated = session.rekey?.peerSPI == info.newSPI || info.newSPI == session.outboundSPI
            if !repeated {
                guard info.oldSPI == session.outboundSPI, info.oldSPI != 0, info.newSPI >= CoreProtocol.minimumSPI else {
                    return [update.reject(.unsupportedUpdate)]
                }
                peerRekey = info
            }
        }

        // Accepted: from here on the UPDATE changes state.
        var actions: [Action] = []
        session.lastActivity = now
        session.lastReceived = now
        if let id { session.update.peerID = id }
        if let info = peerRekey {
            switch acceptRekey(info, dh: packet.diffieHellman, session: &session, now: now) {
            case .failure(let reason): return [update.reject(reason)]
            case .success(let installs): actions += installs
            }
            // The peer acknowledged our ESP_INFO earlier (crossing rekeys): it has its new inbound SA.
            if session.rekey?.ourESPInfoAcknowledged == true { actions += switchOutbound(&session, now: now) }
        }
        if let echoed { actions += verified(echoed, session: &session) }
        if let answeredCheck { actions += checkAnswered(answeredCheck, session: &session) }
        if id != nil, let candidates = decryptedCandidates(packet, session: session) {
            actions += checkCandidates(candidates, session: &session, now: now)
        }
        if let announced = packet.locatorSet, id != nil {
            actions += peerAnnounced(announced, from: update.source, session: &session)
        }
        if let acks = packet.ack, let outgoing = session.update.outgoing, acks.contains(outgoing.id) {
            actions += acknowledged(outgoing, session: &session, now: now)
        }
        // Registration (RFC 8003 §3.2): a client's request or permissions, a server's answer.
        var extra: [HIPParameter] = []
        if let request = packet.regRequest, id != nil {
            let (parameters, served) = serve(request, from: update.source, current: session.served, now: now)
            extra = parameters
            session.served = served
            if served == nil { actions.append(.relayRoutes(client: peerHIT, routes: [])) }
            for case .regResponse(let response) in parameters where served != nil && response.lifetime > 0 {
                actions.append(.report(.clientRegistered(client: peerHIT, types: response.types,
                                                         lifetime: RegistrationLifetime.duration(response.lifetime))))
            }
        }
        if id != nil { actions += permitted(packet.peerPermissions, session: &session) }
        // A connectivity check's answer says where it came from (MAPPED_ADDRESS, RFC 9028 §4.6).
        if id != nil, packet.echoRequestSigned != nil, packet.has(ParameterType.candidatePriority),
           case .udp(let port) = update.source.transport {
            extra.append(.mappedAddress(TransportAddress(port: port, address: update.source.address.v4Mapped)))
        }
        actions += registrationAnswered(packet, session: &session, now: now)
        if session.locators.currentIsDeprecated, session.update.due.verify == nil {
            scheduleVerification(of: nil, session: &session)
        }
        if id != nil, echoed == nil, answeredCheck == nil, case .udp = update.source.transport,
           session.update.due.verify == nil {
            // A NAT rebinding: the peer's UPDATEs now come from elsewhere (verified before ESP goes there, in
            // the answer below).
            actions += adopt(update.source, session: &session).moves
        }
        // The answer: our own UPDATE when content is due (carrying the ACK and echo), else a plain ACK. Echo
        // requests are answered only in UPDATEs with a new SEQ (a replay is not signed again).
        let echo = id == nil ? nil : packet.echoRequestSigned
        var answered = false
        if !session.update.pending.isEmpty {
            let (sends, destination) = flush(&session, ack: id, echo: echo, extra: extra, now: now)
            actions += sends
            answered = destination == update.source
        }
        if (id != nil || echo != nil) && !answered {
            var parameters: [HIPParameter] = extra
            if let id { parameters.append(.ack([id])) }
            if let echo { parameters.append(.echoResponseSigned(echo)) }
            if let bytes = seal(parameters, session) {
                if id != nil { session.update.reply = bytes }
                actions.append(send(bytes, .update, to: update.source, from: update.destination))
            }
        }
        phase = .established(session)
        return actions
    }

    /// The peer's LOCATOR_SET: its locators replace the announced set (with, from behind a NAT, the UPDATE's
    /// source first); a preferred locator other than the current one (or any, when the current one is gone)
    /// is verified, then used.
    private func peerAnnounced(_ announced: [Locator], from source: Endpoint, session: inout Session) -> [Action] {
        var endpoints: [Endpoint] = []
        var preferred: [Endpoint] = []
        for locator in announced.prefix(CoreLimits.locatorsPerUpdate) {
            guard let endpoint = Self.endpoint(of: locator, like: source) else { continue }
            endpoints.append(endpoint)
            if locator.preferred { preferred.append(endpoint) }
        }
        guard !endpoints.isEmpty else { return [] }
        // From behind a NAT a peer announces addresses we cannot reach: over UDP from an address it does not
        // list, its locator is where its UPDATE came from, the NAT's mapping (RFC 9028 §4.9).
        if case .udp = source.transport, !endpoints.contains(where: { $0.address == source.address }) {
            endpoints.insert(source, at: 0)
            preferred = [source]
        }
        session.locators.replace(with: endpoints)
        guard let wanted = (preferred + endpoints).first(where: { session.locators.state(of: $0) != nil }) else { return [] }
        guard wanted != session.locators.current || session.locators.currentIsDeprecated else { return [] }
        if session.locators.state(of: wanted) == .active { return move(to: wanted, session: &session) }
        scheduleVerification(of: wanted, session: &session)
        return []
    }

    /// The endpoint a locator names, over the transport (and for UDP, the port) the UPDATE came with;
    /// type 2 locators carry their own port. Nil for locator types we do not use.
    static func endpoint(of locator: Locator, like source: Endpoint) -> Endpoint? {
        switch locator.address {
        case .address(let bytes), .espAddress(_, let bytes):
            return IPAddress(mappedBytes: bytes).map { Endpoint(address: $0, transport: source.transport) }
        case .transport(let port, let proto, _, _, _, let bytes):
            guard proto == 17, let address = IPAddress(mappedBytes: bytes) else { return nil }
            return Endpoint(address: address, transport: .udp(port: port))
        case .unknown:
            return nil
        }
    }

    /// Our UPDATE `outgoing` was acknowledged: what it carried is done (a rekey's outbound switch may follow).
    private func acknowledged(_ outgoing: UpdateState.Outgoing, session: inout Session, now: Instant) -> [Action] {
        session.update.outgoing = nil
        if let addresses = outgoing.content.announce { session.announced = addresses }
        var actions: [Action] = []
        if outgoing.content.rekey, session.rekey?.pendingOutbound != nil {
            actions += switchOutbound(&session, now: now)
        } else if outgoing.content.rekey {
            // The peer has our ESP_INFO (its new inbound SA follows from it); its own ESP_INFO comes in its
            // next UPDATE, and we switch then.
            session.rekey?.ourESPInfoAcknowledged = true
        }
        actions += startWaitingChecks(&session, now: now)
        if !session.update.pending.isEmpty { actions += flush(&session, now: now).sends }
        return actions
    }

    /// A locator answered our echo: ACTIVE, and ESP moves there.
    private func verified(_ endpoint: Endpoint, session: inout Session) -> [Action] {
        session.update.pending.verify = nil
        session.locators.add(endpoint)   // back in the set if a later LOCATOR_SET made room by dropping it
        session.locators.verified(endpoint)
        return move(to: endpoint, session: &session)
    }

    /// ESP to the peer goes to `endpoint` (ACTIVE) from now on.
    func move(to endpoint: Endpoint, session: inout Session) -> [Action] {
        let previous = session.locators.current
        guard endpoint != previous, session.locators.use(endpoint) else { return [] }
        // Our address towards the old locator may have no route to the new one (a multihomed host): from a
        // new peer address on, the shell sends from whatever address routing picks for it.
        if endpoint.address != previous.address { session.localAddress = nil }
        guard session.saInstalled else { return [] }
        var actions: [Action] = [.moveSA(peer: peerHIT, outboundSPI: session.outboundSPI, to: endpoint,
                                         source: source(for: endpoint, session)),
                                 .report(.moved(peer: peerHIT, to: endpoint))]
        if let relay = session.relayEndpoint, previous == relay {
            // Off the relay: the remaining connectivity checks are moot.
            session.checks = ConnectivityChecks()
            actions.append(.report(.directPath(peer: peerHIT, endpoint: endpoint)))
        }
        // A relay client that moved: its Data Relay routes follow it.
        if session.served?.permissions.isEmpty == false { actions.append(relayRoutes(session)) }
        return actions
    }

    /// Makes our next UPDATE verify `endpoint` (or, for nil, the best candidate the locator set offers).
    private func scheduleVerification(of endpoint: Endpoint?, session: inout Session) {
        let usable = usableFamilies(session)
        guard let target = endpoint ?? session.locators.candidate(usable: usable) else { return }
        if session.update.due.verify?.endpoint == target { return }
        session.update.pending.verify = (target, local.random.bytes(CoreLimits.echoNonceLength))
    }

    // MARK: - Events

    /// Our addresses changed: announce them to the peer; a peer locator of a family we lost is replaced. The
    /// same list again (routes changed) resends what is in flight: an exchange's I1 or I2, our UPDATE.
    mutating func addressesChanged(_ addresses: [IPAddress], now: Instant) -> [Action] {
        switch phase {
        case .i1Sent(let attempt, let retransmission):
            return attempt.destinations(ofTransmission: retransmission.attempt).map {
                send(attempt.i1, .i1, to: $0, from: nil, retransmission: true)
            }
        case .i2Sent(let pending):
            return [send(pending.i2, .i2, to: pending.destination, from: nil, retransmission: true)]
        case .r2Sent(var session, _), .established(var session):
            guard !addresses.isEmpty else { return [] }
            guard addresses != session.update.due.announce ?? session.announced else {
                // The same addresses (the routes changed): an UPDATE in flight goes out again now.
                guard let outgoing = session.update.outgoing else { return [] }
                let destination = outgoing.boundTo ?? session.locators.destination(
                    forAttempt: outgoing.retransmission.attempt, usable: usableFamilies(session))
                return [send(outgoing.bytes, .update, to: destination, from: source(for: destination, session),
                             retransmission: true)]
            }
            if let address = session.localAddress, !addresses.contains(address) { session.localAddress = nil }
            session.update.pending.announce = addresses
            var actions: [Action] = []
            let usable = usableFamilies(session)   // of the new addresses (pending announcement)
            if !usable(session.locators.current) {
                // ESP cannot reach the peer from here: use another verified locator, or verify one.
                if let alternative = session.locators.activeAlternative(usable: usable) {
                    actions += move(to: alternative, session: &session)
                } else if session.update.due.verify == nil {
                    scheduleVerification(of: nil, session: &session)
                }
            }
            actions += flush(&session, now: now).sends
            setSession(session)
            return actions
        default:
            return []
        }
    }

    /// The peer's configured locators join its set (UNVERIFIED).
    mutating func configuredLocators(_ endpoints: [Endpoint], now: Instant) -> [Action] {
        guard var session, [.r2Sent, .established].contains(state) else { return [] }
        for endpoint in endpoints.prefix(CoreLimits.peerLocators) { session.locators.add(endpoint) }
        setSession(session)
        return []
    }

    /// ESP arrived on our inbound SA `spi` from `source` (see `Event.espReceived`).
    mutating func espReceived(spi: UInt32, source: Endpoint, now: Instant) -> [Action] {
        guard var session, [.r2Sent, .established].contains(state) else { return [] }
        var actions: [Action] = []
        session.lastActivity = now
        session.lastReceived = now
        if let rekey = session.rekey, rekey.inboundInstalled, spi == rekey.inboundSPI {
            actions += switchOutbound(&session, now: now)
        }
        if spi == session.inboundSPI {
            let soon = now + CoreLimits.drainAfterNewTraffic
            for index in session.draining.indices { session.draining[index].until = min(session.draining[index].until, soon) }
        }
        actions += follow(source, session: &session, now: now)
        phase = .established(session)
        return actions
    }

    /// Authenticated traffic (ESP that opened with a new highest sequence number, a verified UPDATE or NAT
    /// keepalive) came from `source`: a NAT rebinding or a move the peer did not announce. An ACTIVE locator
    /// is used at once; another one is verified first (RFC 8046 §5.6, RFC 9028 §4.9), unless a verification
    /// is running (traffic an attacker re-sources must not keep replacing it, nor make us sign an UPDATE per
    /// packet). Over raw HIP, ESP still comes over UDP: from the current locator's address it is that locator.
    func follow(_ source: Endpoint, session: inout Session, now: Instant) -> [Action] {
        let (moves, verifying) = adopt(source, session: &session)
        return verifying ? flush(&session, now: now).sends : moves
    }

    /// `follow` without sending: the move to an ACTIVE `source`, or whether its verification is now due in our
    /// next UPDATE.
    private func adopt(_ source: Endpoint, session: inout Session) -> (moves: [Action], verifying: Bool) {
        let current = session.locators.current
        guard source != current, !(current.transport == .raw && source.address == current.address) else { return ([], false) }
        if session.locators.state(of: source) == .active { return (move(to: source, session: &session), false) }
        session.locators.add(source)
        guard session.update.due.verify == nil else { return ([], false) }
        scheduleVerification(of: source, session: &session)
        return ([], true)
    }

    /// The data plane's packet counts for this peer: a change is traffic; a change of the sent count is a
    /// send on the current path (the NAT keepalive waits).
    mutating func trafficCounted(_ count: TrafficCount, now: Instant) -> [Action] {
        guard var session else { return [] }
        if count.total != session.packets {
            if count.received != session.packets &- session.sentPackets { session.lastReceived = now }
            session.packets = count.total
            session.lastActivity = now
        }
        if count.sent != session.sentPackets {
            session.sentPackets = count.sent
            session.lastSent = now
        }
        setSession(session)
        return []
    }

    /// We sent a HIP packet to `destination`: on the keepalive's UDP path it postpones the NAT keepalive.
    mutating func sent(to destination: Endpoint, now: Instant) {
        guard var session, destination == keepaliveEndpoint(of: session) else { return }
        session.lastSent = now
        setSession(session)
    }

    /// A verified NAT keepalive (or another packet without content for us) arrived from `source`.
    mutating func authenticatedPacket(from source: Endpoint, now: Instant) -> [Action] {
        guard var session, state == .established, case .udp = source.transport else { return [] }
        session.lastReceived = now
        let actions = follow(source, session: &session, now: now)
        setSession(session)
        return actions
    }

    /// A rekey is due (bytes or sequence numbers): start one unless one runs.
    mutating func rekeyRequested(now: Instant) -> [Action] {
        guard var session, state == .established, session.rekey == nil else { return [] }
        let actions = startRekey(&session, now: now)
        setSession(session)
        return actions
    }

    // MARK: - Rekeying

    /// Our rekey: a new inbound SPI and (by settings, or when KEYMAT runs short) a new DH key pair.
    func startRekey(_ session: inout Session, now: Instant) -> [Action] {
        session.rekeyAt = nil
        guard let spi = local.spis.allocate(excluding: session.outboundSPI) else { return [] }
        let suite = session.keys.suite
        let needed = 2 * (suite.encryptionKeyLength + suite.authenticationKeyLength)
        let keymatRunsShort = session.keymat.offset + needed > min(session.keymat.capacity, Int(UInt16.max))
        var dh: DHKeyPair?
        if local.settings.rekeysWithDiffieHellman || keymatRunsShort {
            guard let pair = try? DHKeyPair(group: session.group) else { return [.releaseSPI(spi)] }
            dh = pair
        }
        session.rekey = Rekey(inboundSPI: spi, dh: dh, keymatIndex: dh == nil ? UInt16(session.keymat.offset) : 0)
        session.update.pending.rekey = true
        return flush(&session, now: now).sends
    }

    /// The peer's ESP_INFO (and DIFFIE_HELLMAN) of a rekey, its own or the answer to ours: our side of the
    /// rekey (if it is the peer's), the new keys, our new inbound SA installed and the new outbound SA
    /// kept until the peer has its inbound one.
    private func acceptRekey(_ info: ESPInfo, dh peerDH: DiffieHellmanValue?, session: inout Session,
                             now: Instant) -> Result<[Action], RejectReason> {
        if let peerDH, peerDH.group != session.group.rawValue { return .failure(.unsupportedDHGroup) }
        var rekey: Rekey
        var released: [Action] = []
        if let ours = session.rekey, (ours.dh != nil) == (peerDH != nil) {
            rekey = ours
        } else if session.rekey.map({ $0.peerSPI != nil || local.hit > peerHIT }) == true {
            // Crossing rekeys that disagree on a new Diffie-Hellman: the greater HIT keeps its own, the
            // peer answers it (its UPDATE is refused here and retransmitted until then).
            return .failure(.unsupportedUpdate)
        } else {
            if let ours = session.rekey {
                // We have the smaller HIT: our rekey yields to the peer's.
                released = [.releaseSPI(ours.inboundSPI)]
                session.rekey = nil
                session.update.pending.rekey = false
            }
            guard let spi = local.spis.allocate(excluding: info.newSPI) else { return .failure(.localFailure) }
            var dh: DHKeyPair?
            if peerDH != nil {
                guard let pair = try? DHKeyPair(group: session.group) else {
                    local.spis.release(spi)   // not handed out: undone here, like the base exchange's
                    return .failure(.localFailure)
                }
                dh = pair
            }
            rekey = Rekey(inboundSPI: spi, dh: dh, keymatIndex: dh == nil ? UInt16(session.keymat.offset) : 0)
            session.update.pending.rekey = true
            session.rekeyAt = nil   // the peer's rekey replaces our next one; `switchOutbound` sets it again
        }
        var keymat: Keymat
        do {
            if let dh = rekey.dh, let peerDH {
                keymat = session.keymat.replacingKij(try dh.sharedSecret(peerPublicValue: peerDH.publicValue))
            } else {
                keymat = session.keymat
                try keymat.advance(to: max(Int(rekey.keymatIndex), Int(info.keymatIndex)))
            }
        } catch {
            if session.rekey == nil { local.spis.release(rekey.inboundSPI) }
            return .failure(rekey.dh == nil ? .invalidKeymatIndex : .invalidDHPublicValue)
        }
        let suite = session.keys.suite
        guard let gl = try? ESPKeys(drawingFrom: &keymat, suite: suite),
              let lg = try? ESPKeys(drawingFrom: &keymat, suite: suite) else {
            if session.rekey == nil { local.spis.release(rekey.inboundSPI) }
            return .failure(.invalidKeymatIndex)
        }
        let (inboundKeys, outboundKeys) = local.hit > peerHIT ? (lg, gl) : (gl, lg)
        session.keymat = keymat
        let endpoint = session.locators.current
        let inbound = DirectionalSA(localHIT: local.hit, peerHIT: peerHIT, spi: rekey.inboundSPI, suite: suite,
                                    keys: inboundKeys, peerEndpoint: endpoint, localAddress: session.localAddress)
        rekey.peerSPI = info.newSPI
        rekey.inboundInstalled = true
        rekey.pendingOutbound = DirectionalSA(localHIT: local.hit, peerHIT: peerHIT, spi: info.newSPI, suite: suite,
                                              keys: outboundKeys, peerEndpoint: endpoint, localAddress: session.localAddress)
        session.rekey = rekey
        return .success(released + [.installInboundSA(inbound)])
    }

    /// The peer has its new inbound SA: ESP goes out on the new outbound SA, the old inbound SA drains.
    private func switchOutbound(_ session: inout Session, now: Instant) -> [Action] {
        guard let rekey = session.rekey, var outbound = rekey.pendingOutbound else { return [] }
        outbound.peerEndpoint = session.locators.current
        outbound.localAddress = source(for: outbound.peerEndpoint, session)
        session.draining.append(Session.Draining(spi: session.inboundSPI, until: now + local.settings.saDrainTime))
        session.inboundSPI = rekey.inboundSPI
        session.outboundSPI = outbound.spi
        session.rekey = nil
        session.update.pending.rekey = false
        session.rekeyAt = local.settings.rekeyInterval.map { now + $0 }
        return [.installOutboundSA(outbound),
                .report(.rekeyed(peer: peerHIT, inboundSPI: session.inboundSPI, outboundSPI: session.outboundSPI))]
    }

    // MARK: - Sending

    /// Sends the content due in a new UPDATE (next SEQ), replacing the one in flight; `ack`, `echo` and
    /// `extra` (registration answers) answer the peer's UPDATE in the same packet. Returns the send and where
    /// it went.
    func flush(_ session: inout Session, ack: UInt32? = nil, echo: [UInt8]? = nil, extra: [HIPParameter] = [],
               now: Instant) -> (sends: [Action], destination: Endpoint?) {
        let content = session.update.due
        guard !content.isEmpty else { return ([], nil) }
        let id = session.update.nextID
        session.update.nextID &+= 1
        var parameters: [HIPParameter] = [.seq(id)]
        if content.rekey, let rekey = session.rekey {
            parameters.append(.espInfo(rekey.espInfo(replacing: session.inboundSPI)))
            if let dh = rekey.dh {
                parameters.append(.diffieHellman(DiffieHellmanValue(group: session.group.rawValue, publicValue: dh.publicValue)))
            }
        } else {
            parameters.append(.espInfo(ESPInfo(keymatIndex: 0, oldSPI: session.inboundSPI, newSPI: session.inboundSPI)))
        }
        var carried = content
        if let addresses = content.announce {
            parameters.append(.locatorSet(addresses.prefix(CoreLimits.locatorsPerUpdate).enumerated().map { index, address in
                Locator(trafficType: 0, preferred: index == 0, lifetime: local.settings.locatorLifetime,
                        address: .espAddress(spi: session.inboundSPI, address: address.v4Mapped))
            }))
            carried.candidates = nil   // sent after the announcement (a LOCATOR_SET of ours at a time)
        } else if let candidates = content.candidates, let encrypted = encryptedCandidates(candidates, session: session) {
            parameters.append(encrypted)
        }
        if let ack { parameters.append(.ack([ack])) }
        if let verify = content.verify { parameters.append(.echoRequestSigned(verify.nonce)) }
        if let echo { parameters.append(.echoResponseSigned(echo)) }
        if content.register, let request = renewalRequest(session) { parameters.append(.regRequest(request)) }
        parameters += content.permissions.map(HIPParameter.peerPermission)
        parameters += extra
        session.update.pending = UpdateState.Content()
        session.update.pending.candidates = carried.candidates == nil ? content.candidates : nil
        guard let bytes = seal(parameters, session) else {
            session.update.pending = content
            return ([], nil)
        }
        let destination = content.verify?.endpoint
            ?? session.locators.destination(forAttempt: 0, usable: usableFamilies(session))
        session.update.outgoing = UpdateState.Outgoing(
            id: id, content: carried, bytes: bytes, boundTo: content.verify?.endpoint,
            retransmission: Retransmission(policy: local.settings.updateRetransmission, sentAt: now))
        if ack != nil { session.update.reply = bytes }
        return ([send(bytes, .update, to: destination, from: source(for: destination, session))], destination)
    }

    /// An UPDATE with `parameters`, HIP_MAC and HIP_SIGNATURE (nil if signing failed).
    func seal(_ parameters: [HIPParameter], _ session: Session) -> [UInt8]? {
        let packet = HIPPacket(type: .update, senderHIT: local.hit, receiverHIT: peerHIT, parameters: parameters)
        return try? PacketSealer.seal(packet, mac: .mac(session.keys.outgoingIntegrity, session.keys.hash),
                                      identity: local.identity)
    }

    /// The local address to send to `endpoint` from: the session's when `endpoint` is at the peer's current
    /// address and of the same family, else nil (the shell chooses, as routing does). A multihomed host that verifies a peer's new locator, or fails over to another, must not
    /// send from the address it reaches the current one with: the new one may have no route back to it
    /// (two containers on a second network that only one of them shares with the first).
    func source(for endpoint: Endpoint, _ session: Session) -> IPAddress? {
        guard let address = session.localAddress, address.isIPv4 == endpoint.address.isIPv4 else { return nil }
        if session.peerEndpoint.address != endpoint.address { return nil }
        return address
    }

    /// Whether we have a local address of an endpoint's family (any, before our first announcement).
    func usableFamilies(_ session: Session) -> (Endpoint) -> Bool {
        let addresses = session.update.due.announce ?? session.announced
        guard !addresses.isEmpty else { return { _ in true } }
        let v4 = addresses.contains { $0.isIPv4 }, v6 = addresses.contains { !$0.isIPv4 }
        return { $0.address.isIPv4 ? v4 : v6 }
    }

    // MARK: - Deadlines

    /// The session's next deadline: UPDATE retransmission, a drain's end, registration renewal and expiry
    /// (both sides), and in ESTABLISHED the rekey age (while no rekey runs), the UAL, the NAT keepalive, the
    /// connectivity checks and a silent direct path's fallback. Only deadlines `timerFired` serves count, so
    /// none stays in the past.
    func deadline(of session: Session) -> Instant? {
        let established = state == .established
        let unused = established && !session.carriesRegistration
            ? local.settings.unusedAssociationLifetime.map { session.lastActivity + $0 } : nil
        let rekey = established && session.rekey == nil ? session.rekeyAt : nil
        let registration = [session.registration?.renewAt, session.registration?.expiresAt, session.served?.nextExpiry]
        let path = [keepaliveDeadline(of: session), session.checks.deadline, fallbackDeadline(of: session)]
        return ([session.update.outgoing?.retransmission.deadline, rekey, unused] + registration + path
            + session.draining.map(\.until)).compactMap { $0 }.min()
    }

    /// When the NAT keepalive is due: established, `natKeepaliveInterval` after the last send on the UDP path.
    func keepaliveDeadline(of session: Session) -> Instant? {
        guard state == .established, let interval = local.settings.natKeepaliveInterval else { return nil }
        return session.lastSent + interval
    }

    /// When a direct path that came from a relayed one counts as dead: the peer silent for 2.5 keepalive
    /// intervals (an idle peer still sends keepalives), while the relay's endpoint is still ACTIVE.
    func fallbackDeadline(of session: Session) -> Instant? {
        guard state == .established, let relay = session.relayEndpoint, session.peerEndpoint != relay,
              session.locators.state(of: relay) == .active, let interval = local.settings.natKeepaliveInterval else { return nil }
        return session.lastReceived + interval * 5 / 2
    }

    /// The UDP path a NAT keepalive refreshes: the current locator, or over raw HIP the UDP path ESP takes
    /// (the peer's address at our port: ESP rides UDP even when HIP does not, and needs the NAT binding).
    func keepaliveEndpoint(of session: Session) -> Endpoint {
        let current = session.peerEndpoint
        guard case .raw = current.transport else { return current }
        return Endpoint(address: current.address, transport: .udp(port: local.settings.udpPort))
    }

    /// Serves the session's deadlines that passed.
    func sessionTimers(_ session: inout Session, now: Instant) -> [Action] {
        var actions: [Action] = []
        let ended = session.draining.filter { $0.until <= now }
        session.draining.removeAll { $0.until <= now }
        for old in ended { actions += [.retireInboundSA(peer: peerHIT, spi: old.spi), .releaseSPI(old.spi)] }
        if let rekeyAt = session.rekeyAt, rekeyAt <= now, session.rekey == nil, state == .established {
            actions += startRekey(&session, now: now)
        }
        if var outgoing = session.update.outgoing, outgoing.retransmission.deadline <= now {
            actions += retransmit(&outgoing, session: &session, now: now)
        }
        actions += checkTimers(&session, now: now)
        if let fallback = fallbackDeadline(of: session), fallback <= now, let relay = session.relayEndpoint {
            // The direct path went silent: back through the relay (the peer follows our traffic from there).
            session.lastReceived = now
            actions += move(to: relay, session: &session) + [.report(.directPathLost(peer: peerHIT))]
        }
        actions += servedTimers(&session, now: now)
        actions += registrationTimers(&session, now: now)
        if session.update.pending.register { actions += flush(&session, now: now).sends }
        if let keepalive = keepaliveDeadline(of: session), keepalive <= now {
            // RFC 9028 §4.10: NOTIFY NAT_KEEPALIVE, signed, without HOST_ID (the peer knows us).
            session.lastSent = now
            let path = keepaliveEndpoint(of: session)
            if let bytes = try? local.notify(to: peerHIT, type: NotifyType.natKeepalive, data: [], includingHostID: false) {
                actions.append(send(bytes, .notify, to: path, from: source(for: path, session)))
            }
        }
        return actions
    }

    /// Our UPDATE is due again: resend it (in turn to the peer's locators), verify another locator after
    /// repeated silence, or give up.
    private func retransmit(_ outgoing: inout UpdateState.Outgoing, session: inout Session, now: Instant) -> [Action] {
        guard outgoing.retransmission.expire(now: now) else {
            session.update.outgoing = nil
            if let target = outgoing.boundTo {
                // The locator being verified did not answer: try the next one, keep the rest of the content.
                session.locators.unreachable(target)
                var rest = outgoing.content
                rest.verify = nil
                session.update.pending.announce = session.update.pending.announce ?? rest.announce
                session.update.pending.rekey = session.update.pending.rekey || rest.rekey
                session.update.pending.register = session.update.pending.register || rest.register
                session.update.pending.permissions = rest.permissions + session.update.pending.permissions
                if session.locators.currentIsDeprecated { scheduleVerification(of: nil, session: &session) }
                let sends = flush(&session, now: now).sends
                if !sends.isEmpty { return sends }
            }
            var actions = abandonRekey(&session, now: now)
            actions.append(.report(.updateUnanswered(peer: peerHIT)))
            return actions
        }
        let attempt = outgoing.retransmission.attempt
        session.update.outgoing = outgoing
        if outgoing.boundTo == nil, attempt >= CoreLimits.updateAttemptsBeforeFailover, session.update.pending.verify == nil,
           let candidate = session.locators.candidate(usable: usableFamilies(session)) {
            // The current locator may be gone: verify another one (the UPDATE goes there with the next SEQ).
            scheduleVerification(of: candidate, session: &session)
            return flush(&session, now: now).sends
        }
        let destination = outgoing.boundTo ?? session.locators.destination(forAttempt: attempt, usable: usableFamilies(session))
        return [send(outgoing.bytes, .update, to: destination, from: source(for: destination, session), retransmission: true)]
    }

    /// Gives up a rekey whose UPDATE went unanswered: an installed new inbound SA drains like a replaced one
    /// (the peer may already send on it), else its SPI goes at once; the next attempt follows after
    /// `rekeyInterval` (or the next request).
    private func abandonRekey(_ session: inout Session, now: Instant) -> [Action] {
        guard let rekey = session.rekey else { return [] }
        session.rekey = nil
        session.update.pending.rekey = false
        session.rekeyAt = local.settings.rekeyInterval.map { now + $0 }
        if rekey.inboundInstalled {
            session.draining.append(Session.Draining(spi: rekey.inboundSPI, until: now + local.settings.saDrainTime))
            return []
        }
        return [.releaseSPI(rekey.inboundSPI)]
    }

    /// Stores `session` back into the current phase (R2-SENT keeps its deadline).
    mutating func setSession(_ session: Session) {
        switch phase {
        case .r2Sent(_, let completeAt): phase = .r2Sent(session, completeAt: completeAt)
        case .established: phase = .established(session)
        default: break
        }
    }
}

// Association+Candidates: from a relayed path to a direct one (RFC 9028 §4.2–4.6, simplified: no
// nomination, the first candidate that answers wins).
//
// Ours:    the host hands us our candidates (host addresses with our UDP port, server-reflexive addresses
//          from REG_FROM) → UPDATE(SEQ, ENCRYPTED{LOCATOR_SET of type 2 locators}) through the relay.
// Theirs:  ENCRYPTED{LOCATOR_SET} whose locators are all type 2 → each candidate UNVERIFIED in the locator set
//          → a check to each (ConnectivityChecks) → an answer: ACTIVE, ESP moves there.
// A check we receive is an UPDATE like any other: answered from where it came (with ACK and
// ECHO_RESPONSE_SIGNED), and its source verified in turn (the triggered check of ICE) — Association+Update.
import HIPCrypto
import HIPWire

extension Association {
    /// Sends `candidates` to the peer (a relayed path: see `HIPHost.announceCandidates`).
    mutating func announceCandidates(_ candidates: [Locator], now: Instant) -> [Action] {
        guard var session, !candidates.isEmpty else { return [] }
        session.relayEndpoint = session.peerEndpoint
        session.update.pending.candidates = candidates
        let actions = flush(&session, now: now).sends
        setSession(session)
        return actions
    }

    /// The ENCRYPTED parameter carrying our candidates' LOCATOR_SET (RFC 9028 §5.7), each with the SPI we
    /// expect ESP on, nil if encryption fails.
    func encryptedCandidates(_ candidates: [Locator], session: Session) -> HIPParameter? {
        let locators = candidates.prefix(CoreLimits.locatorsPerUpdate).map { candidate in
            guard case .transport(let port, let proto, let kind, let priority, _, let address) = candidate.address else {
                return candidate
            }
            var locator = candidate
            locator.address = .transport(port: port, proto: proto, kind: kind, priority: priority, spi: session.inboundSPI,
                                         address: address)
            return locator
        }
        let plaintext = HIPParameter.locatorSet(locators).encodedTLV
        return (try? HIPCipher.encrypt(session.keys.cipher, key: session.keys.outgoingEncryption, plaintext: plaintext))
            .map(HIPParameter.encrypted)
    }

    /// The peer's candidates from an UPDATE's ENCRYPTED parameter (nil: none there).
    func decryptedCandidates(_ packet: HIPPacket, session: Session) -> [Locator]? {
        guard let body = packet.encrypted,
              let plaintext = try? HIPCipher.decrypt(session.keys.cipher, key: session.keys.incomingEncryption, body: body),
              let inner = try? HIPParameter.decodeTLVs(plaintext),
              case .locatorSet(let locators)? = inner.first(where: { $0.type == ParameterType.locatorSet }),
              !locators.isEmpty, locators.allSatisfy({ if case .transport = $0.address { true } else { false } }) else {
            return nil
        }
        return locators
    }

    /// The peer's candidates: checks to those we can reach from our address families, best first.
    func checkCandidates(_ locators: [Locator], session: inout Session, now: Instant) -> [Action] {
        guard session.update.outgoing == nil else {
            session.checks.waiting = locators
            return []
        }
        session.checks.waiting = nil
        // The peer sends candidates when the path goes through a relay: ours is its endpoint then.
        if session.relayEndpoint == nil { session.relayEndpoint = session.peerEndpoint }
        let usable = usableFamilies(session)
        let candidates = locators.compactMap { locator -> (Endpoint, UInt32)? in
            guard case .transport(_, _, _, let priority, _, _) = locator.address,
                  let endpoint = Self.endpoint(of: locator, like: session.peerEndpoint),
                  endpoint != session.peerEndpoint, usable(endpoint) else { return nil }
            return (endpoint, priority)
        }.sorted { $0.1 > $1.1 }.prefix(CoreLimits.locatorsPerUpdate)
        session.checks.running = []
        for (index, (endpoint, priority)) in candidates.enumerated() {
            session.locators.add(endpoint)
            let id = session.update.nextID
            session.update.nextID &+= 1
            let nonce = local.random.bytes(CoreLimits.echoNonceLength)
            guard let bytes = seal([.seq(id), .echoRequestSigned(nonce), .candidatePriority(priority)], session) else { continue }
            session.checks.running.append(ConnectivityChecks.Check(
                endpoint: endpoint, nonce: nonce, bytes: bytes, startAt: now + CoreProtocol.checkPacing * index,
                retransmission: Retransmission(policy: local.settings.checkRetransmission, sentAt: now)))
        }
        return checkTimers(&session, now: now)
    }

    /// A check was answered: its candidate carries ESP from now on; the other checks stop.
    func checkAnswered(_ check: ConnectivityChecks.Check, session: inout Session) -> [Action] {
        session.checks.running = []
        session.locators.add(check.endpoint)
        session.locators.verified(check.endpoint)
        return move(to: check.endpoint, session: &session)
    }

    /// Checks due again are resent; those out of retries end (a candidate that never answered).
    func checkTimers(_ session: inout Session, now: Instant) -> [Action] {
        var actions: [Action] = []
        var running: [ConnectivityChecks.Check] = []
        let hadChecks = !session.checks.running.isEmpty
        for var check in session.checks.running {
            guard check.deadline <= now else {
                running.append(check)
                continue
            }
            if check.startAt != nil {
                check.startAt = nil
                check.retransmission = Retransmission(policy: local.settings.checkRetransmission, sentAt: now)
                running.append(check)
                actions.append(send(check.bytes, .update, to: check.endpoint, from: nil))
                continue
            }
            guard check.retransmission.expire(now: now) else {
                session.locators.unreachable(check.endpoint)
                continue
            }
            running.append(check)
            actions.append(send(check.bytes, .update, to: check.endpoint, from: nil, retransmission: true))
        }
        session.checks.running = running
        if hadChecks && running.isEmpty && session.peerEndpoint == session.relayEndpoint {
            actions.append(.report(.noDirectPath(peer: peerHIT)))
        }
        return actions + startWaitingChecks(&session, now: now)
    }

    /// Checks that waited for our UPDATE in flight start once it is done (acknowledged or given up).
    func startWaitingChecks(_ session: inout Session, now: Instant) -> [Action] {
        guard session.update.outgoing == nil, let waiting = session.checks.waiting else { return [] }
        return checkCandidates(waiting, session: &session, now: now)
    }
}

// Association+Initiator: the Initiator's side of the base exchange (RFC 7401 §6.6, §6.8, §6.10).
//
// I1:  DH_GROUP_LIST (our preference). Each address goes over raw HIP when the shell offers a raw endpoint
//      for it, else over UDP (Attempt.destinations):
//        transmission 0                first I1s, up to 3 addresses in parallel (raw HIP where offered)
//        1 (first timeout)             with raw HIP offered: the UDP fallback, up to 3 in parallel; the
//                                      exchange then reports "UDP (raw HIP unanswered)"
//        2, 3, 4, ...                  with raw HIP offered: raw HIP and UDP by turns, one address each time;
//                                      without: one address each time, in turn
//      An R1 over either transport answers it; the transport it came on is the exchange's.
// R1 (I1-SENT, or I2-SENT with a larger R1_COUNTER; copies of the R1 answered are counted by the host),
// checks in order:
//   source address one our I1 went to (or named in VIA_RVS) → parameters present → HOST_ID parses, hashes
//   to the Sender's HIT, policy → HIP_SIGNATURE_2 → our HIT suite in HIT_SUITE_LIST → DH group = Responder's first of our list
//   (downgrade check) → HIP cipher, ESP transport format and suite → puzzle (#I length, #K bound) solved →
//   DH, KEYMAT, keys → inbound SPI → I2 sent, I2-SENT.
// I2:  ESP_INFO, [R1_COUNTER], SOLUTION, DIFFIE_HELLMAN, HIP_CIPHER, [NAT_TRAVERSAL_MODE: the R1's first
//      mode we support], ENCRYPTED{HOST_ID} (HOST_ID with NULL), [REG_REQUEST to a server we register with], [ECHO_RESPONSE_SIGNED], TRANSPORT_FORMAT_LIST, ESP_TRANSFORM, HIP_MAC, HIP_SIGNATURE,
//      <ECHO_RESPONSE_UNSIGNED...>.
// R2 (I2-SENT): HIP_MAC_2 (with the Responder's HOST_ID) → HIP_SIGNATURE → ESP_INFO SPI and KEYMAT index
//      → SA pair installed, ESTABLISHED; a server's REG_RESPONSE / REG_FAILED / REG_FROM recorded.
import HIPCrypto
import HIPWire

extension Association {
    /// Starts a base exchange to `peer`: the association in I1-SENT and its first I1s.
    static func initiate(local: LocalHost, peer: HIT, endpoints: [Endpoint], now: Instant) -> (Association, [Action]) {
        let i1 = HIPPacket(type: .i1, senderHIT: local.hit, receiverHIT: peer,
                           parameters: [.dhGroupList(local.dhGroupIDs)]).serialize()
        let attempt = Attempt(endpoints: endpoints, startedAt: now, i1: i1)
        let association = Association(local: local, peerHIT: peer, phase: .i1Sent(
            attempt, Retransmission(policy: local.settings.i1Retransmission, sentAt: now)))
        let actions = attempt.destinations(ofTransmission: 0).map { association.send(i1, .i1, to: $0, from: nil) }
        return (association, actions)
    }

    mutating func receiveR1(_ r1: ReceivedPacket, now: Instant) -> [Action] {
        let attempt: Attempt
        var answered: PendingI2?
        let rawUnanswered: Bool
        switch phase {
        case .i1Sent(let current, let retransmission):
            attempt = current
            rawUnanswered = current.rawUnanswered(byTransmission: retransmission.attempt)
        case .i2Sent(let pending):
            attempt = pending.attempt
            answered = pending
            rawUnanswered = pending.transport == .udpAfterRawUnanswered
        default:
            return [r1.reject(.unexpected)]
        }
        // R1s are pre-signed for any Initiator: only one from where our I1 went answers it, directly or, after
        // a rendezvous server forwarded our I1, naming that server in VIA_RVS (RFC 8004 §5.3).
        let viaRendezvous = r1.packet.viaRVS?.contains { IPAddress(mappedBytes: $0).map(attempt.sendsI1) ?? false } ?? false
        guard attempt.sendsI1(to: r1.source.address) || viaRendezvous else { return [r1.reject(.r1FromUnexpectedSource)] }
        // RFC 7401 §6.8 step 8: in I2-SENT only an R1 of a newer generation restarts the exchange.
        if let answered {
            guard let counter = r1.packet.r1Counter, let previous = answered.r1Counter, counter > previous else {
                return [r1.reject(.staleR1)]
            }
        }
        let transport: ExchangeTransport = r1.source.transport == .raw ? .raw : rawUnanswered ? .udpAfterRawUnanswered : .udp
        switch answer(r1, attempt: attempt, spi: answered?.inboundSPI, transport: transport, now: now) {
        case .failure(let reason):
            return [r1.reject(reason)]
        case .success(let pending):
            phase = .i2Sent(pending)
            return [send(pending.i2, .i2, to: pending.destination, from: pending.source)]
        }
    }

    /// Whether `r1` is a copy of the R1 answered in I2-SENT, from where our I1 went (the I1 went out on
    /// several transports or to several addresses, each answered): the host drops it as a duplicate.
    func isCopyOfAnsweredR1(_ r1: ReceivedPacket) -> Bool {
        guard case .i2Sent(let pending) = phase else { return false }
        return pending.attempt.sendsI1(to: r1.source.address) && pending.r1 == r1.packet
    }

    /// Processes an R1 (that came on `transport`) and builds the I2 (no state is changed here).
    private func answer(_ r1: ReceivedPacket, attempt: Attempt, spi reusableSPI: UInt32?, transport: ExchangeTransport,
                        now: Instant) -> Result<PendingI2, RejectReason> {
        let packet = r1.packet
        let settings = local.settings
        guard let puzzle = packet.puzzle, let responderGroups = packet.dhGroupList,
              let dhValue = packet.diffieHellman, let offeredCiphers = packet.hipCipher,
              let hostID = packet.hostID, let suiteList = packet.hitSuiteList,
              let formats = packet.transportFormatList, packet.has(ParameterType.hipSignature2) else {
            return .failure(.missingParameter)
        }
        // The Responder's identity: bound to its HIT, allowed, and the signer of this R1.
        guard let identity = try? PublicHostIdentity(algorithm: hostID.algorithm, hostIdentity: hostID.hostIdentity) else {
            return .failure(.unsupportedHostIdentity)
        }
        guard identity.hit == packet.senderHIT else { return .failure(.hitMismatch) }
        guard local.policy.allows(packet.senderHIT) else { return .failure(.blockedByPolicy) }
        guard PacketSealer.verifySignature(r1, identity: identity, rule: .signature2) else {
            return .failure(.signatureFailed)
        }
        // Negotiation.
        guard suiteList.contains(local.identity.publicIdentity.hitSuite.listEncoding) else {
            return .failure(.unsupportedHITSuite)
        }
        guard let expectedGroup = Negotiation.dhGroup(responderList: responderGroups, initiatorList: local.dhGroupIDs) else {
            return .failure(.unsupportedDHGroup)
        }
        guard dhValue.group == expectedGroup else { return .failure(.dhDowngrade) }
        guard let group = DHGroup(rawValue: expectedGroup) else { return .failure(.unsupportedDHGroup) }
        guard let cipher = Negotiation.hipCipher(offered: offeredCiphers, settings: settings) else {
            return .failure(.noCommonHIPCipher)
        }
        guard formats.contains(CoreProtocol.espTransportFormat), let offeredSuites = packet.espTransform,
              let suite = Negotiation.espSuite(offered: offeredSuites, settings: settings) else {
            return .failure(.noCommonESPSuite)
        }
        // The puzzle: RHASH is the Responder's (RFC 7401 §6.5).
        let hash = identity.hitSuite.hash
        guard puzzle.random.count == hash.digestLength else { return .failure(.invalidParameter) }
        guard puzzle.k <= settings.maximumPuzzleDifficulty,
              let puzzleJ = PuzzleSolver.solve(i: puzzle.random, k: puzzle.k, hitI: local.hit, hitR: peerHIT,
                                                hash: hash, start: local.random.bytes(hash.digestLength)) else {
            return .failure(.puzzleTooHard)
        }
        // Keys.
        let dh: DHKeyPair
        let kij: SecretBytes
        do {
            dh = try DHKeyPair(group: group)
        } catch {
            return .failure(.localFailure)
        }
        do {
            kij = try dh.sharedSecret(peerPublicValue: dhValue.publicValue)
        } catch {
            return .failure(.invalidDHPublicValue)
        }
        guard let keys = try? SessionKeys(kij: kij, puzzleI: puzzle.random, puzzleJ: puzzleJ, local: local.hit,
                                          peer: peerHIT, hash: hash, cipher: cipher, suite: suite, group: group,
                                          exportsInputs: settings.exportsKeymatInputs),
              let spi = reusableSPI ?? local.spis.allocate(excluding: nil) else {
            return .failure(.localFailure)
        }
        // The I2.
        var parameters: [HIPParameter] = [
            .espInfo(ESPInfo(keymatIndex: keys.keymatIndex, oldSPI: 0, newSPI: spi)),
            .solution(Solution(k: puzzle.k, opaque: puzzle.opaque, random: puzzle.random, solution: puzzleJ)),
            .diffieHellman(DiffieHellmanValue(group: group.rawValue, publicValue: dh.publicValue)),
            .hipCipher([cipher.rawValue]),
            .transportFormatList([CoreProtocol.espTransportFormat]),
            .espTransform([suite.rawValue]),
        ]
        if let counter = packet.r1Counter { parameters.append(.r1Counter(counter)) }
        if let modes = packet.natTraversalMode {
            // RFC 9028 §4.3: the Responder's first mode we support (UDP-ENCAPSULATION is mandatory for both).
            guard let mode = modes.prefix(CoreProtocol.maximumOfferedTransforms)
                .first(where: settings.natTraversalModes.contains) else { return .failure(.noCommonNATTraversalMode) }
            parameters.append(.natTraversalMode([mode]))
        }
        if let echo = packet.echoRequestSigned { parameters.append(.echoResponseSigned(echo)) }
        if let request = registrationRequest(for: packet) { parameters.append(.regRequest(request)) }
        if cipher == .null {
            parameters.append(local.hostID)
        } else {
            guard let body = try? HIPCipher.encrypt(cipher, key: keys.outgoingEncryption, plaintext: local.hostIDTLV) else {
                if reusableSPI == nil { local.spis.release(spi) }
                return .failure(.localFailure)
            }
            parameters.append(.encrypted(body))
        }
        let unsigned = packet.echoRequestsUnsigned.map { HIPParameter.echoResponseUnsigned($0) }
        let i2: [UInt8]
        do {
            i2 = try PacketSealer.seal(HIPPacket(type: .i2, senderHIT: local.hit, receiverHIT: peerHIT, parameters: parameters),
                                       mac: .mac(keys.outgoingIntegrity, hash), identity: local.identity,
                                       unsigned: unsigned)
        } catch {
            if reusableSPI == nil { local.spis.release(spi) }
            return .failure(.localFailure)
        }
        return .success(PendingI2(
            attempt: attempt, r1: packet, r1Counter: packet.r1Counter, i2: i2, destination: r1.source, source: r1.destination,
            peerIdentity: identity, peerHostIDTLV: HIPParameter.hostID(hostID).encodedTLV, keys: keys, group: group,
            inboundSPI: spi, retransmission: Retransmission(policy: settings.i2Retransmission, sentAt: now),
            transport: transport))
    }

    mutating func receiveR2(_ r2: ReceivedPacket, now: Instant) -> [Action] {
        guard case .i2Sent(let pending) = phase else { return [r2.reject(.unexpected)] }
        guard let info = r2.packet.espInfo, r2.packet.has(ParameterType.hipMAC2),
              r2.packet.has(ParameterType.hipSignature) else {
            return [r2.reject(.missingParameter)]
        }
        guard PacketSealer.verifyMAC(r2, key: pending.keys.incomingIntegrity, hash: pending.keys.hash,
                                     rule: .mac2(responderHostIDTLV: pending.peerHostIDTLV)) else {
            return [r2.reject(.macFailed)]
        }
        guard PacketSealer.verifySignature(r2, identity: pending.peerIdentity) else {
            return [r2.reject(.signatureFailed)]
        }
        guard info.newSPI >= CoreProtocol.minimumSPI, info.newSPI != pending.inboundSPI else {
            return [r2.reject(.invalidSPI)]
        }
        guard info.keymatIndex == pending.keys.keymatIndex else { return [r2.reject(.invalidKeymatIndex)] }
        var session = Session(role: .initiator, peerIdentity: pending.peerIdentity, keys: pending.keys,
                              group: pending.group, inboundSPI: pending.inboundSPI, outboundSPI: info.newSPI,
                              peerEndpoint: r2.source, localAddress: r2.destination, cachedI2: nil, cachedR2: nil,
                              rekeyAt: local.settings.rekeyInterval.map { now + $0 }, now: now)
        session.exchangeTransport = pending.transport
        var actions: [Action] = [
            .installSA(securityAssociations(session)),
            .report(.established(peer: peerHIT, role: .initiator, latency: now - pending.attempt.startedAt)),
        ]
        if let wanted = local.settings.registrations[peerHIT] {
            // Types the R1's REG_INFO did not offer were not requested: refused as unavailable.
            var registration = ClientRegistration(wanted: wanted)
            registration.request = registrationRequest(for: pending.r1)
            let requested = registration.request?.types ?? []
            // Rendezvous next to the relay was left out on purpose (the relay forwards I1s too).
            let unoffered = wanted.filter { !requested.contains($0) }.filter {
                !($0 == RegistrationType.rendezvous && requested.contains(RegistrationType.relayUDPHIP))
            }
            for type in unoffered { registration.refused[type] = RegistrationFailure.typeUnavailable }
            session.registration = registration
            if !unoffered.isEmpty {
                actions.append(.report(.registrationRefused(server: peerHIT, types: unoffered,
                                                            failureType: RegistrationFailure.typeUnavailable)))
            }
            if !requested.isEmpty { actions += registrationAnswered(r2.packet, session: &session, now: now) }
        }
        phase = .established(session)
        return actions
    }

    /// The SA pair of a session.
    func securityAssociations(_ session: Session) -> SecurityAssociationPair {
        SecurityAssociationPair(localHIT: local.hit, peerHIT: peerHIT, inboundSPI: session.inboundSPI,
                                outboundSPI: session.outboundSPI, suite: session.keys.suite,
                                inboundKeys: session.keys.espInbound, outboundKeys: session.keys.espOutbound,
                                peerEndpoint: session.peerEndpoint, localAddress: session.localAddress,
                                keymatInputs: session.keys.keymatInputs)
    }
}

extension Association.Attempt {
    /// Whether raw HIP goes first: some address has a raw endpoint, and there are UDP ones to fall back to.
    var fallsBack: Bool {
        endpoints.contains { $0.transport == .raw } && endpoints.contains { $0.transport != .raw }
    }

    /// Where transmission `n` of the I1 goes (0: the first; see the file comment).
    func destinations(ofTransmission n: Int) -> [Endpoint] {
        guard fallsBack else {
            guard !endpoints.isEmpty else { return [] }
            return n == 0 ? Array(endpoints.prefix(CoreLimits.parallelI1Destinations)) : [endpoints[n % endpoints.count]]
        }
        // Raw HIP where offered (an address without a raw endpoint, e.g. a server's, over UDP), or UDP.
        let rawAddresses = Set(endpoints.filter { $0.transport == .raw }.map(\.address))
        let list = n % 2 == 0 ? endpoints.filter { $0.transport == .raw || !rawAddresses.contains($0.address) }
            : endpoints.filter { $0.transport != .raw }
        return n < 2 ? Array(list.prefix(CoreLimits.parallelI1Destinations)) : [list[n / 2 % list.count]]
    }

    /// Whether our raw HIP I1s went unanswered until the first timeout, by transmission `n`.
    func rawUnanswered(byTransmission n: Int) -> Bool {
        fallsBack && n >= 1
    }

    /// How transmission `n` reaches the peer: raw HIP when it goes over raw HIP to some address, else UDP
    /// (the fallback once raw HIP went unanswered).
    func transport(ofTransmission n: Int) -> ExchangeTransport {
        if destinations(ofTransmission: n).contains(where: { $0.transport == .raw }) { return .raw }
        return rawUnanswered(byTransmission: n) ? .udpAfterRawUnanswered : .udp
    }
}

// HIPHost+I2: the Responder's processing of an I2 (RFC 7401 §6.9, RFC 7402 §5.2), stateless until it passes.
//
// Checks, cheapest first; any failure drops the I2 with no association state change:
//   retransmission of the I2 our cached R2 answers → resend that R2 (step 4), within the duplicate-I2 rate
//   limits (per source, in total)
//   I2-SENT and our HIT smaller → drop, keep initiating (step 5)
//   policy → Initiator's HIT suite (step 3) → parameters present
//   R1 generation (R1_COUNTER or Opaque) → #I recomputed from S, HITs, addresses → #K → #J (steps 7–8)
//   → solution not used by an accepted I2 (replay) → solution's attempts not used up, one more counted
//   → a new association within `maximumAssociations` (NOTIFY 44 RESPONDER_BUSY_PLEASE_RETRY)
//   → HIP_CIPHER and ESP_TRANSFORM: exactly one offered value (step 9, NOTIFY 17/19) → DH group offered
//   (step 10, NOTIFY 15) → NAT_TRAVERSAL_MODE: one offered mode, required over UDP (RFC 9028 §4.3, NOTIFY 60) → Kij, KEYMAT, keys → HIP_MAC (step 14)
//   → HOST_ID (decrypted from ENCRYPTED, or plain) hashes to the Sender's HIT (steps 11–12)
//   → HIP_SIGNATURE (step 15) → ESP_INFO: SPI ≥ 256, KEYMAT index
// A failure from Kij on is counted against the R1 pool (adaptive puzzle difficulty).
// Then: the solution is remembered, an existing association is torn down (peer restart: step 20), and
// the new association sends R2 (Association+Responder). Last, the R1 generation is rotated if the pool
// asks for it (a full memory, or a harder puzzle).
import HIPCrypto
import HIPWire

extension HIPHost {
    /// Why an I2 was refused, the NOTIFY type to answer with (after the puzzle passed), if any, and whether
    /// the refusal came after the DH computation (it counts toward a harder puzzle).
    struct I2Refusal: Error {
        let reason: RejectReason
        var notify: UInt16? = nil
        var afterKeyAgreement = false
        /// The solution whose attempt this was (its puzzle passed), to remember the first failure's cause.
        var solved: R1Pool.Solved? = nil
        /// For `.solutionAttemptsExhausted`: why the first attempt with that solution failed.
        var firstCause: RejectReason? = nil
    }

    /// The negotiated choices of an I2 whose puzzle passed.
    private struct I2Choices {
        let solved: R1Pool.Solved
        let template: R1Pool.Template
        let group: DHGroup
        let cipher: HIPCipherID
        let suite: ESPSuiteID
    }

    mutating func receiveI2(_ i2: ReceivedPacket, now: Instant) -> [Action] {
        let actions = answerI2(i2, now: now)
        if pool.rotationDue { rotatePuzzle(now: now) }
        return actions
    }

    private mutating func answerI2(_ i2: ReceivedPacket, now: Instant) -> [Action] {
        let peer = i2.packet.senderHIT
        if let existing = associations[peer] {
            if let answer = existing.cachedAnswer(to: i2) {
                // A copy of the I2 we accepted: the same R2 again, within the duplicate-I2 rate limits.
                guard duplicateI2SourceLimiter.allow(i2.source.address, now: now), duplicateI2Limiter.allow(now: now) else {
                    return [i2.reject(.rateLimited)]
                }
                counters.duplicateI2sAnswered += 1
                return [answer]
            }
            if case .i2Sent = existing.phase, local.hit < peer { return [i2.reject(.simultaneousOpenYield)] }
        }
        let accepted: AcceptedI2
        switch verify(i2) {
        case .failure(let refusal):
            if refusal.afterKeyAgreement { pool.countFailedI2(settings: local.settings) }
            if let solved = refusal.solved { pool.recordFailure(refusal.reason, of: solved) }
            var actions = [i2.reject(refusal.reason, firstCause: refusal.firstCause)]
            // RFC 9028: the NAT traversal error NOTIFYs carry the HIP header of the refused packet.
            let data = refusal.notify == NotifyType.noValidNATTraversalModeParameter
                ? Array(i2.bytes.prefix(HIPProtocol.headerLength)) : []
            if let type = refusal.notify, let notify = limitedNotify(to: peer, type: type, data: data, now: now) {
                actions.append(.send(OutboundPacket(bytes: notify, type: .notify, destination: i2.source,
                                                    source: i2.destination, peer: peer, isRetransmission: false)))
            }
            return actions
        case .success(let value):
            accepted = value
        }
        guard let (association, actions) = Association.accept(accepted, local: local, now: now) else {
            return [i2.reject(.localFailure)]
        }
        pool.consume(accepted.solved)
        var teardown: [Action] = []
        if var previous = associations[peer] {
            if previous.state == .established { teardown.append(.report(.replaced(peer: peer))) }
            teardown = previous.teardown() + teardown
        }
        associations[peer] = association
        return teardown + actions
    }

    /// The checks up to and including the puzzle (which counts an attempt; an I2 refused for used-up
    /// attempts names why the first one failed), then `afterPuzzle`.
    private mutating func verify(_ i2: ReceivedPacket) -> Result<AcceptedI2, I2Refusal> {
        let packet = i2.packet
        let peer = packet.senderHIT
        guard local.policy.allows(peer) else { return .failure(I2Refusal(reason: .blockedByPolicy)) }
        guard local.acceptsSuite(of: peer) else { return .failure(I2Refusal(reason: .unsupportedHITSuite)) }
        guard let solution = packet.solution, let dhValue = packet.diffieHellman, let ciphers = packet.hipCipher,
              let suites = packet.espTransform, let formats = packet.transportFormatList, let espInfo = packet.espInfo,
              packet.has(ParameterType.hipMAC), packet.has(ParameterType.hipSignature),
              packet.has(ParameterType.encrypted) || packet.has(ParameterType.hostID) else {
            return .failure(I2Refusal(reason: .missingParameter))
        }
        // The puzzle, against the R1 generation it answers; the attempt is counted.
        let solved: R1Pool.Solved
        switch pool.admit(solution, r1Counter: packet.r1Counter, initiator: peer, source: i2.senderAddress,
                          destination: i2.destination, local: local) {
        case .failure(let reason):
            let first = reason == .solutionAttemptsExhausted ? pool.firstFailure(of: solution) : nil
            return .failure(I2Refusal(reason: reason, firstCause: first))
        case .success(let value): solved = value
        }
        return afterPuzzle(i2, solved: solved, dhValue: dhValue, ciphers: ciphers, suites: suites, formats: formats,
                           espInfo: espInfo).mapError { refusal in
            var refusal = refusal
            refusal.solved = solved
            return refusal
        }
    }

    /// The checks after the puzzle passed (its attempt counted): the choices, then the authentication.
    private func afterPuzzle(_ i2: ReceivedPacket, solved: R1Pool.Solved, dhValue: DiffieHellmanValue, ciphers: [UInt16],
                             suites: [UInt16], formats: [UInt16], espInfo: ESPInfo) -> Result<AcceptedI2, I2Refusal> {
        let packet = i2.packet
        let peer = packet.senderHIT
        guard !associationLimitReached(for: peer) else {
            return .failure(I2Refusal(reason: .associationLimit, notify: NotifyType.responderBusyPleaseRetry))
        }
        // The choices made from our R1.
        guard let cipherID = Negotiation.single(ciphers, offeredIn: local.hipCipherIDs),
              let cipher = HIPCipherID(rawValue: cipherID) else {
            return .failure(I2Refusal(reason: .invalidHIPCipherChosen, notify: NotifyType.invalidHIPCipherChosen))
        }
        guard formats.contains(CoreProtocol.espTransportFormat),
              let suiteID = Negotiation.single(suites, offeredIn: local.espSuiteIDs),
              let suite = ESPSuiteID(rawValue: suiteID) else {
            return .failure(I2Refusal(reason: .invalidESPSuiteChosen, notify: NotifyType.invalidESPTransformChosen))
        }
        guard let template = solved.templates[dhValue.group], let group = DHGroup(rawValue: dhValue.group) else {
            return .failure(I2Refusal(reason: .unsupportedDHGroup, notify: NotifyType.invalidDHChosen))
        }
        // RFC 9028 §4.3: over UDP the I2 echoes exactly one mode our R1 offered; over raw IP it may leave it out.
        let modes = packet.natTraversalMode
        let modeRequired = if case .udp = i2.source.transport { true } else { false }
        if (modeRequired && modes == nil) || modes.map({ Negotiation.single($0, offeredIn: local.settings.natTraversalModes) == nil }) == true {
            return .failure(I2Refusal(reason: .invalidNATTraversalMode, notify: NotifyType.noValidNATTraversalModeParameter))
        }
        let choices = I2Choices(solved: solved, template: template, group: group, cipher: cipher, suite: suite)
        return authenticate(i2, choices: choices, dhValue: dhValue, espInfo: espInfo)
            .mapError { I2Refusal(reason: $0, afterKeyAgreement: true) }
    }

    /// Kij, the keys, HIP_MAC, the Initiator's identity and signature, ESP_INFO.
    private func authenticate(_ i2: ReceivedPacket, choices: I2Choices, dhValue: DiffieHellmanValue,
                              espInfo: ESPInfo) -> Result<AcceptedI2, RejectReason> {
        let packet = i2.packet
        let peer = packet.senderHIT
        let solved = choices.solved
        // Keys, then HIP_MAC before anything is decrypted or any signature checked.
        let kij: SecretBytes
        do {
            kij = try choices.template.dh.sharedSecret(peerPublicValue: dhValue.publicValue)
        } catch {
            return .failure(.invalidDHPublicValue)
        }
        guard let keys = try? SessionKeys(kij: kij, puzzleI: solved.puzzleI, puzzleJ: solved.puzzleJ, local: local.hit,
                                          peer: peer, hash: local.responderHash, cipher: choices.cipher,
                                          suite: choices.suite, group: choices.group,
                                          exportsInputs: local.settings.exportsKeymatInputs) else {
            return .failure(.localFailure)
        }
        guard PacketSealer.verifyMAC(i2, key: keys.incomingIntegrity, hash: keys.hash) else {
            return .failure(.macFailed)
        }
        // The Initiator's identity.
        let hostID: HostID
        switch initiatorHostID(packet, keys: keys) {
        case .failure(let reason): return .failure(reason)
        case .success(let value): hostID = value
        }
        guard let identity = try? PublicHostIdentity(algorithm: hostID.algorithm, hostIdentity: hostID.hostIdentity) else {
            return .failure(.unsupportedHostIdentity)
        }
        guard identity.hit == peer else { return .failure(.hitMismatch) }
        guard PacketSealer.verifySignature(i2, identity: identity) else { return .failure(.signatureFailed) }
        guard espInfo.newSPI >= CoreProtocol.minimumSPI else { return .failure(.invalidSPI) }
        guard espInfo.keymatIndex == keys.keymatIndex else { return .failure(.invalidKeymatIndex) }
        return .success(AcceptedI2(received: i2, peerIdentity: identity, keys: keys, group: choices.group,
                                   peerSPI: espInfo.newSPI, solved: solved))
    }

    /// The Initiator's HOST_ID: decrypted from ENCRYPTED with the Initiator's HIP encryption key (RFC 7401
    /// §6.9 step 11), or sent in the clear.
    private func initiatorHostID(_ packet: HIPPacket, keys: SessionKeys) -> Result<HostID, RejectReason> {
        guard let body = packet.encrypted else {
            return packet.hostID.map { .success($0) } ?? .failure(.missingParameter)
        }
        guard let plaintext = try? HIPCipher.decrypt(keys.cipher, key: keys.incomingEncryption, body: body),
              let inner = try? HIPParameter.decodeTLVs(plaintext),
              case .hostID(let hostID)? = inner.first(where: { $0.type == ParameterType.hostID }) else {
            return .failure(.decryptionFailed)
        }
        return .success(hostID)
    }
}

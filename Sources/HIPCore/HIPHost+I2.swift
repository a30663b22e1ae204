// HIPHost+I2: the Responder's processing of an I2 (RFC 7401 §6.9, RFC 7402 §5.2), stateless until it passes.
//
// Checks, cheapest first; any failure drops the I2 with no state change:
//   retransmission of the I2 our cached R2 answers → resend that R2 (step 4)
//   I2-SENT and our HIT smaller → drop, keep initiating (step 5)
//   policy → Initiator's HIT suite (step 3) → parameters present
//   R1 generation (R1_COUNTER or Opaque) → #I recomputed from S, HITs, addresses → #K → #J (steps 7–8)
//   → solution not used before (replay) → HIP_CIPHER and ESP_TRANSFORM: exactly one offered value (step 9,
//   NOTIFY 17/19) → DH group offered (step 10, NOTIFY 15) → Kij, KEYMAT, keys → HIP_MAC (step 14)
//   → HOST_ID (decrypted from ENCRYPTED, or plain) hashes to the Sender's HIT (steps 11–12)
//   → HIP_SIGNATURE (step 15) → ESP_INFO: SPI ≥ 256, KEYMAT index
// Then: the solution is remembered, an existing association is torn down (peer restart: step 20), and
// the new association sends R2 (Association+Responder).
import HIPCrypto
import HIPWire

extension HIPHost {
    /// Why an I2 was refused, and the NOTIFY type to answer with (after the puzzle passed), if any.
    struct I2Refusal: Error {
        let reason: RejectReason
        var notify: UInt16? = nil
    }

    mutating func receiveI2(_ i2: ReceivedPacket, now: Instant) -> [Action] {
        let peer = i2.packet.senderHIT
        if let existing = associations[peer] {
            if let answer = existing.cachedAnswer(to: i2) {
                counters.duplicateI2sAnswered += 1
                return [answer]
            }
            if case .i2Sent = existing.phase, local.hit < peer { return [i2.reject(.simultaneousOpenYield)] }
        }
        let accepted: AcceptedI2
        switch verify(i2) {
        case .failure(let refusal):
            var actions = [i2.reject(refusal.reason)]
            if let type = refusal.notify, let notify = limitedNotify(to: peer, type: type, data: [], now: now) {
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
        if !pool.consume(accepted.solved) { rotatePuzzle(now: now) }
        var teardown: [Action] = []
        if var previous = associations[peer] {
            if previous.state == .established { teardown.append(.report(.replaced(peer: peer))) }
            teardown = previous.teardown() + teardown
        }
        associations[peer] = association
        return teardown + actions
    }

    private func verify(_ i2: ReceivedPacket) -> Result<AcceptedI2, I2Refusal> {
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
        // The puzzle, against the R1 generation it answers.
        let solved: R1Pool.Solved
        switch pool.check(solution, r1Counter: packet.r1Counter, initiator: peer, source: i2.source.address,
                          destination: i2.destination, local: local) {
        case .failure(let reason): return .failure(I2Refusal(reason: reason))
        case .success(let value): solved = value
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
        guard let template = solved.generation.templates[dhValue.group], let group = DHGroup(rawValue: dhValue.group) else {
            return .failure(I2Refusal(reason: .unsupportedDHGroup, notify: NotifyType.invalidDHChosen))
        }
        // Keys, then HIP_MAC before anything is decrypted or any signature checked.
        let kij: SecretBytes
        do {
            kij = try template.dh.sharedSecret(peerPublicValue: dhValue.publicValue)
        } catch {
            return .failure(I2Refusal(reason: .invalidDHPublicValue))
        }
        guard let keys = try? SessionKeys(kij: kij, puzzleI: solved.puzzleI, puzzleJ: solved.puzzleJ, local: local.hit,
                                          peer: peer, hash: local.responderHash, cipher: cipher, suite: suite) else {
            return .failure(I2Refusal(reason: .localFailure))
        }
        guard PacketSealer.verifyMAC(i2, key: keys.incomingIntegrity, hash: keys.hash) else {
            return .failure(I2Refusal(reason: .macFailed))
        }
        // The Initiator's identity.
        let hostID: HostID
        switch initiatorHostID(packet, keys: keys) {
        case .failure(let reason): return .failure(I2Refusal(reason: reason))
        case .success(let value): hostID = value
        }
        guard let identity = try? PublicHostIdentity(algorithm: hostID.algorithm, hostIdentity: hostID.hostIdentity) else {
            return .failure(I2Refusal(reason: .unsupportedHostIdentity))
        }
        guard identity.hit == peer else { return .failure(I2Refusal(reason: .hitMismatch)) }
        guard PacketSealer.verifySignature(i2, identity: identity) else {
            return .failure(I2Refusal(reason: .signatureFailed))
        }
        guard espInfo.newSPI >= CoreProtocol.minimumSPI else { return .failure(I2Refusal(reason: .invalidSPI)) }
        guard espInfo.keymatIndex == keys.keymatIndex else { return .failure(I2Refusal(reason: .invalidKeymatIndex)) }
        return .success(AcceptedI2(received: i2, peerIdentity: identity, keys: keys, group: group,
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

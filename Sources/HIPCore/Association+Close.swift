// Association+Close: CLOSE / CLOSE_ACK (RFC 7401 §5.3.7–8, §6.14–15).
//
//  close request (R2-SENT, ESTABLISHED): SAs removed → CLOSE = ECHO_REQUEST_SIGNED(nonce), HIP_MAC,
//      HIP_SIGNATURE → CLOSING (retransmitted until CLOSE_ACK or `closingTimeout`).
//  CLOSE (R2-SENT, ESTABLISHED, CLOSING, CLOSED): HIP_MAC → HIP_SIGNATURE → CLOSE_ACK =
//      ECHO_RESPONSE_SIGNED(echo), HIP_MAC, HIP_SIGNATURE → SAs removed → CLOSED (kept `closedLinger`).
//  CLOSE_ACK (CLOSING, or CLOSED after crossing CLOSEs): HIP_MAC → HIP_SIGNATURE → echo = our nonce →
//      UNASSOCIATED.
import HIPCrypto
import HIPWire

extension Association {
    mutating func closeRequested(now: Instant) -> [Action] {
        switch phase {
        case .r2Sent(var session, _), .established(var session):
            let nonce = local.random.bytes(CoreLimits.closeNonceLength)
            let packet = HIPPacket(type: .close, senderHIT: local.hit, receiverHIT: peerHIT,
                                   parameters: [.echoRequestSigned(nonce)])
            guard let close = try? PacketSealer.seal(packet, mac: .mac(session.keys.outgoingIntegrity, session.keys.hash),
                                                     identity: local.identity) else {
                // Without a signature we cannot say goodbye: drop the association silently.
                let actions = removeSA(session)
                phase = .unassociated
                return actions + [.report(.closed(peer: peerHIT))]
            }
            var actions = removeSA(session)
            session.saInstalled = false
            let settings = local.settings
            phase = .closing(session, Closing(nonce: nonce, close: close,
                                              retransmission: Retransmission(policy: settings.closeRetransmission, sentAt: now),
                                              giveUpAt: now + settings.closingTimeout))
            actions.append(send(close, .close, to: session.peerEndpoint, from: session.localAddress))
            return actions
        case .i1Sent, .i2Sent:
            // Nothing to close yet: abandon the exchange.
            return teardown()
        case .closing, .closed, .failed, .unassociated:
            return []
        }
    }

    mutating func receiveClose(_ close: ReceivedPacket, now: Instant) -> [Action] {
        var nonce: [UInt8]?
        var reportClosed = true
        let session: Session
        switch phase {
        case .r2Sent(let current, _), .established(let current):
            session = current
        case .closing(let current, let closing):
            session = current
            nonce = closing.nonce
        case .closed(let current, let closed):
            if let answered = closed.answeredClose, answered == close.packet, let ack = closed.closeAck {
                return [send(ack, .closeAck, to: close.source, from: close.destination, retransmission: true)]
            }
            session = current
            nonce = closed.nonce
            reportClosed = false
        default:
            return [close.reject(.unexpected)]
        }
        guard let echo = close.packet.echoRequestSigned else { return [close.reject(.missingParameter)] }
        guard PacketSealer.verifyMAC(close, key: session.keys.incomingIntegrity, hash: session.keys.hash) else {
            return [close.reject(.macFailed)]
        }
        guard PacketSealer.verifySignature(close, identity: session.peerIdentity) else {
            return [close.reject(.signatureFailed)]
        }
        let ackPacket = HIPPacket(type: .closeAck, senderHIT: local.hit, receiverHIT: peerHIT,
                                  parameters: [.echoResponseSigned(echo)])
        guard let ack = try? PacketSealer.seal(ackPacket, mac: .mac(session.keys.outgoingIntegrity, session.keys.hash),
                                               identity: local.identity) else {
            return [close.reject(.localFailure)]
        }
        var actions = removeSA(session)
        var closedSession = session
        closedSession.saInstalled = false
        phase = .closed(closedSession, Closed(answeredClose: close.packet, closeAck: ack, nonce: nonce,
                                              until: now + local.settings.closedLinger))
        actions.append(send(ack, .closeAck, to: close.source, from: close.destination))
        if reportClosed { actions.append(.report(.closed(peer: peerHIT))) }
        return actions
    }

    mutating func receiveCloseAck(_ ack: ReceivedPacket, now: Instant) -> [Action] {
        let session: Session
        let nonce: [UInt8]
        var reportClosed = true
        switch phase {
        case .closing(let current, let closing):
            session = current
            nonce = closing.nonce
        case .closed(let current, let closed):
            guard let ours = closed.nonce else { return [ack.reject(.unexpected)] }
            session = current
            nonce = ours
            reportClosed = false   // already reported when the peer's CLOSE arrived
        default:
            return [ack.reject(.unexpected)]
        }
        guard let echo = ack.packet.echoResponseSigned else { return [ack.reject(.missingParameter)] }
        guard PacketSealer.verifyMAC(ack, key: session.keys.incomingIntegrity, hash: session.keys.hash) else {
            return [ack.reject(.macFailed)]
        }
        guard PacketSealer.verifySignature(ack, identity: session.peerIdentity) else {
            return [ack.reject(.signatureFailed)]
        }
        guard constantTimeEquals(echo, nonce) else { return [ack.reject(.echoMismatch)] }
        phase = .unassociated
        return reportClosed ? [.report(.closed(peer: peerHIT))] : []
    }
}

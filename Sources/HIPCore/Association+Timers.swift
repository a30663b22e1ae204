// Association+Timers: deadlines and the inputs that are not packets (RFC 7401 §4.4.3).
//
//  I1-SENT      timeout → I1 again (the first timeout: the UDP fallback of raw HIP; Association+Initiator),
//               or E-FAILED after I1_RETRIES_MAX
//  I2-SENT      timeout → I2 again, or E-FAILED after I2_RETRIES_MAX (our SPI released)
//  R2-SENT      Exchange Complete timeout, or traffic → ESTABLISHED (session deadlines as below meanwhile)
//  ESTABLISHED  UPDATE retransmission, drain ends, rekey by age, NAT keepalive, registration renewal and
//               expiry, connectivity checks, fallback to the relay (Association+Update); no traffic and no
//               UPDATE for `unusedAssociationLifetime` → CLOSE (UAL), unless a registration lives on it
//  CLOSING      timeout → CLOSE again (within the retry budget); `closingTimeout` → UNASSOCIATED
//  CLOSED       `closedLinger` → UNASSOCIATED
//  E-FAILED     `failedHoldDown` → UNASSOCIATED
import HIPWire

extension Association {
    /// When this association next needs `timerFired`, or nil.
    var deadline: Instant? {
        switch phase {
        case .i1Sent(_, let retransmission): retransmission.deadline
        case .i2Sent(let pending): pending.retransmission.deadline
        case .r2Sent(let session, let completeAt): [completeAt, deadline(of: session)].compactMap { $0 }.min()
        case .established(let session): deadline(of: session)
        case .unassociated: nil
        case .closing(_, let closing):
            closing.retransmission.attempt < closing.retransmission.policy.maximumRetries
                ? min(closing.retransmission.deadline, closing.giveUpAt) : closing.giveUpAt
        case .closed(_, let closed): closed.until
        case .failed(let until): until
        }
    }

    mutating func timerFired(now: Instant) -> [Action] {
        guard let deadline, deadline <= now else { return [] }
        switch phase {
        case .i1Sent(let attempt, var retransmission):
            guard retransmission.expire(now: now) else { return fail(.noResponseToI1, now: now) }
            phase = .i1Sent(attempt, retransmission)
            return attempt.destinations(ofTransmission: retransmission.attempt).map {
                send(attempt.i1, .i1, to: $0, from: nil, retransmission: true)
            }
        case .i2Sent(var pending):
            guard pending.retransmission.expire(now: now) else {
                return [.releaseSPI(pending.inboundSPI)] + fail(.noResponseToI2, now: now)
            }
            phase = .i2Sent(pending)
            return [send(pending.i2, .i2, to: pending.destination, from: pending.source, retransmission: true)]
        case .r2Sent(var session, let completeAt):
            let actions = sessionTimers(&session, now: now)
            phase = now >= completeAt ? .established(session) : .r2Sent(session, completeAt: completeAt)
            return actions
        case .established(var session):
            // An association that carries a registration (either way) is in use while the registration lasts.
            if let lifetime = local.settings.unusedAssociationLifetime, now >= session.lastActivity + lifetime,
               !session.carriesRegistration {
                return [.report(.unused(peer: peerHIT, lifetime: lifetime))] + closeRequested(now: now)
            }
            let actions = sessionTimers(&session, now: now)
            phase = .established(session)
            return actions
        case .closing(let session, var closing):
            if now >= closing.giveUpAt {
                phase = .unassociated
                return [.report(.closed(peer: peerHIT))]
            }
            guard closing.retransmission.expire(now: now) else { return [] }
            phase = .closing(session, closing)
            return [send(closing.close, .close, to: session.peerEndpoint, from: session.localAddress, retransmission: true)]
        case .closed, .failed:
            phase = .unassociated
            return []
        case .unassociated:
            return []
        }
    }

    private mutating func fail(_ reason: FailureReason, now: Instant) -> [Action] {
        phase = .failed(until: now + local.settings.failedHoldDown)
        return [.report(.failed(peer: peerHIT, reason: reason))]
    }
}

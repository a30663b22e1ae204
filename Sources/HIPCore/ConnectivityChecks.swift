// ConnectivityChecks: the checks an association runs to the peer's candidates while its path goes through a
// relay (RFC 9028 §4.6, without nomination: the first candidate that answers carries ESP).
//
//   peer's candidates (LOCATOR_SET of type 2 locators, in ENCRYPTED) → (our UPDATE in flight acknowledged
//   first) → one check per candidate, by priority, paced `CoreProtocol.checkPacing` (Ta) apart:
//   UPDATE(SEQ, ECHO_REQUEST_SIGNED, CANDIDATE_PRIORITY) sent there directly, retransmitted
//   (`HostSettings.checkRetransmission`, from 1 s as RFC 9028 App. B asks); the answer carries
//   MAPPED_ADDRESS (where the check came from) → the first UPDATE(ACK, ECHO_RESPONSE_SIGNED) with a check's nonce
//   makes that candidate ACTIVE and ESP moves there; the other checks stop → none answers: the path stays
//   relayed.
import HIPCrypto
import HIPWire

/// The checks in flight. A value type inside `Association.Session`.
struct ConnectivityChecks: Sendable {
    struct Check: Sendable {
        let endpoint: Endpoint
        let nonce: [UInt8]
        let bytes: [UInt8]
        /// When it goes out first (paced), nil once sent.
        var startAt: Instant?
        var retransmission: Retransmission

        var deadline: Instant { startAt ?? retransmission.deadline }
    }

    var running: [Check] = []
    /// The peer's candidates, waiting until our UPDATE in flight is acknowledged: a check's SEQ must not
    /// overtake it (the peer drops an UPDATE whose SEQ is below one it processed, RFC 7401 §6.12.2).
    var waiting: [Locator]?

    /// The next retransmission due.
    var deadline: Instant? { running.map(\.deadline).min() }

    /// The check whose nonce `echo` returns, if any (constant-time comparison).
    func check(answeredBy echo: [UInt8]) -> Check? {
        running.first { constantTimeEquals($0.nonce, echo) }
    }
}

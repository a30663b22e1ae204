// UpdateState: the UPDATE bookkeeping of one association (RFC 7401 §6.12): our Update IDs, the one UPDATE
// of ours in flight and what it carries, and the peer's last Update ID with the reply we gave it.
//
//   content changes (addresses, a locator to verify, a rekey, a registration renewal, relay permissions,
//   candidates) →
//   a new UPDATE with the next SEQ carrying all of the content still due (it replaces the one in flight) →
//   retransmitted until an ACK names its SEQ → the content it carried is done.
import HIPCrypto
import HIPWire

/// A value inside the association's session; no I/O.
struct UpdateState: Sendable {
    /// What our next UPDATE carries.
    struct Content: Sendable {
        /// Our addresses for a LOCATOR_SET (nil: nothing to announce).
        var announce: [IPAddress]?
        /// A locator of the peer to verify: ECHO_REQUEST_SIGNED with this nonce, sent there.
        var verify: (endpoint: Endpoint, nonce: [UInt8])?
        /// Our ESP_INFO (and DIFFIE_HELLMAN) of a rekey, from the session's `Rekey`.
        var rekey = false
        /// A REG_REQUEST renewing our registration with the peer (RFC 8003 §3.2).
        var register = false
        /// PEER_PERMISSIONs for the peer's Data Relay (RFC 9028 §5.13).
        var permissions: [PeerPermission] = []
        /// Our candidates for a direct path (ENCRYPTED{LOCATOR_SET}, RFC 9028 §5.7); an announcement of our
        /// addresses (`announce`) goes first.
        var candidates: [Locator]?

        var isEmpty: Bool {
            announce == nil && verify == nil && !rekey && !register && permissions.isEmpty && candidates == nil
        }
    }

    /// Our UPDATE waiting for its ACK.
    struct Outgoing: Sendable {
        let id: UInt32
        let content: Content
        let bytes: [UInt8]
        /// Where it goes: the locator it verifies, else per attempt (`PeerLocatorSet.destination`).
        let boundTo: Endpoint?
        var retransmission: Retransmission
    }

    /// The Update ID our next SEQ carries.
    var nextID: UInt32 = 0
    /// The last Update ID of the peer we processed (later ones must be greater).
    var peerID: UInt32?
    /// The reply to that UPDATE (resent when the peer retransmits it).
    var reply: [UInt8]?
    /// Our UPDATE in flight.
    var outgoing: Outgoing?
    /// Content due that no UPDATE carries yet (`outgoing` carries the rest).
    var pending = Content()

    /// Everything still due: what the UPDATE in flight carries plus what waits.
    var due: Content {
        guard let carried = outgoing?.content else { return pending }
        return Content(announce: pending.announce ?? carried.announce, verify: pending.verify ?? carried.verify,
                       rekey: pending.rekey || carried.rekey, register: pending.register || carried.register,
                       permissions: carried.permissions + pending.permissions,
                       candidates: pending.candidates ?? carried.candidates)
    }
}

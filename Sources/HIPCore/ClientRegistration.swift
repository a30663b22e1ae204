// ClientRegistration: our registration with a server (RFC 8003 §3), kept in the session of our association
// with it: what we asked for, what it granted until when, and the address it saw us at (REG_FROM, our
// server-reflexive candidate, RFC 9028 §4.2).
//
//   I2 REG_REQUEST → R2 REG_RESPONSE/REG_FAILED [REG_FROM] → renewal UPDATE(REG_REQUEST) at half the lifetime
//   → UPDATE(REG_RESPONSE) … → expired when no renewal was answered in time.
import HIPWire

/// Client-side registration state. A value type inside `Association.Session`.
struct ClientRegistration: Sendable {
    /// The types we want, and what our I2 asked for (renewals repeat it).
    let wanted: [UInt8]
    var request: RegRequest?
    /// The types granted and until when (empty: nothing granted now).
    var granted: [UInt8] = []
    var expiresAt: Instant?
    /// When the next renewal goes out.
    var renewAt: Instant?
    /// Our address and port as the server saw them (REG_FROM).
    var reflexive: Endpoint?
    /// The types refused, with the failure type.
    var refused: [UInt8: UInt8] = [:]
    /// PEER_PERMISSIONs sent to the server on this association (a renewal does not repeat them; a new
    /// association with the server, after it restarted, starts empty).
    var permitted: Set<PeerPermission> = []

    init(wanted: [UInt8]) {
        self.wanted = wanted
    }

    func grants(_ type: UInt8) -> Bool { granted.contains(type) }
}

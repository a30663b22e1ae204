// ServedRegistration: a client's registration with us (RFC 8003 §3, server side), kept in the session of
// our association with it: each type granted until when (a type's lifetime is its own: RFC 8003 §4.3), and
// the Data Relay routes it permitted (PEER_PERMISSION, RFC 9028 §5.13).
import HIPWire

/// Server-side registration state. A value type inside `Association.Session`.
struct ServedRegistration: Sendable {
    /// When each granted type ends.
    var expiries: [UInt8: Instant] = [:]
    /// Permitted ESP routes, oldest first (at most `HostSettings.Registrar.routesPerClient`).
    var permissions: [PeerPermission] = []

    var types: [UInt8] { expiries.keys.sorted() }
    /// The next type to end, and the last.
    var nextExpiry: Instant? { expiries.values.min() }
    var lastExpiry: Instant? { expiries.values.max() }

    /// Whether `type` is granted at `now`.
    func grants(_ type: UInt8, at now: Instant) -> Bool { expiries[type].map { $0 > now } ?? false }
}

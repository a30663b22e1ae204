// ServedRegistration: a client's registration with us (RFC 8003 §3, server side), kept in the session of
// our association with it: the types granted until when, and the Data Relay routes it permitted
// (PEER_PERMISSION, RFC 9028 §5.13).
import HIPWire

/// Server-side registration state. A value type inside `Association.Session`.
struct ServedRegistration: Sendable {
    var types: [UInt8]
    var expiresAt: Instant
    /// Permitted ESP routes, oldest first (at most `HostSettings.Registrar.routesPerClient`).
    var permissions: [PeerPermission] = []

    func grants(_ type: UInt8) -> Bool { types.contains(type) }
}

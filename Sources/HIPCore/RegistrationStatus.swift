// RegistrationStatus: a registration as status shows it (RFC 8003): with a server (client side) or of a
// client with us (server side).
import HIPWire

/// One registration. A value type for status and logs.
public struct RegistrationStatus: Hashable, Sendable {
    /// The server (client side) or the client (server side).
    public var peer: HIT
    /// Granted registration types (`RegistrationType`).
    public var types: [UInt8]
    /// When the registration ends unless renewed (nil: none granted).
    public var expiresAt: Instant?
    /// Client side: our address as the server saw it (REG_FROM). Server side: where the client is.
    public var address: Endpoint?
    /// Server side: Data Relay routes the client permitted.
    public var routes: Int
}

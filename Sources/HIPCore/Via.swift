// Via: how a packet reached us through a server we registered with (RFC 8004 rendezvous, RFC 9028 relay),
// once the server's HMAC verified, and how answers go back.
//
//   rendezvous (I1 + FROM + RVS_HMAC):       answers go to the Initiator directly (FROM), R1 + VIA_RVS
//   relay (any + RELAY_FROM + RELAY_HMAC):   answers go to the server with RELAY_TO + RELAY_HMAC
import HIPWire

/// The server a packet came through and the host that sent it there. A value type.
struct Via: Hashable, Sendable {
    enum Service: Hashable, Sendable { case rendezvous, relay }

    let service: Service
    /// The server's HIT (our registration association with it holds the HMAC keys).
    let server: HIT
    /// Where the server's packet came from (where relayed answers go).
    let serverEndpoint: Endpoint
    /// The original sender, as the server saw it: FROM (an address; UDP port 10500 when the server
    /// forwarded over UDP) or RELAY_FROM (address and port).
    let origin: Endpoint
}

/// An association's path through a Control Relay (RFC 9028 §4.12): its packets go to `server`'s endpoint
/// with RELAY_TO `peer`.
struct RelayPath: Hashable, Sendable {
    let server: HIT
    let serverEndpoint: Endpoint
    /// The peer's transport address as the relay sees it (RELAY_FROM of its packets).
    let peer: Endpoint
}

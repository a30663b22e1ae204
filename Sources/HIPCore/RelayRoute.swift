// RelayRoute: one ESP forwarding permission of a Data Relay (RFC 9028 §4.12.3, PEER_PERMISSION §5.13),
// as the core hands it to the shell's data plane.
//
//   peer ──ESP(SPI = toClientSPI)──▶ relay ──▶ client      (from `peer`, to `client`)
//   client ──ESP(SPI = toPeerSPI)──▶ relay ──▶ peer        (from `client`, to `peer`)
//
// The relay forwards the UDP payload unchanged from its own socket; only a datagram from the named source
// with the named SPI matches (an SPI alone would let anyone inject into the client's SA).
import HIPWire

/// A forwarding permission a registered client installed with PEER_PERMISSION. A value type.
public struct RelayRoute: Hashable, Sendable {
    /// The registered client, where the relay reaches it now (its address as the relay sees it).
    public var client: Endpoint
    /// The client's peer (PEER_PERMISSION PAddress and PPort).
    public var peer: Endpoint
    /// ESP from `peer` with this SPI (the client's inbound SPI) goes to `client`.
    public var toClientSPI: UInt32
    /// ESP from `client` with this SPI (the peer's inbound SPI, the client's outbound) goes to `peer`.
    public var toPeerSPI: UInt32

    public init(client: Endpoint, peer: Endpoint, toClientSPI: UInt32, toPeerSPI: UInt32) {
        self.client = client
        self.peer = peer
        self.toClientSPI = toClientSPI
        self.toPeerSPI = toPeerSPI
    }
}

// Event: everything that can happen to a HIP host, as the shell reports it to `HIPHost.handle`.
import HIPWire

/// An input to `HIPHost.handle(_:now:)`. A value type, built by the shell (sockets, TUN, timers, CLI).
public enum Event: Sendable {
    /// A HIP packet received: `bytes` start at the HIP header (after the UDP zero marker, if any);
    /// `source` is the sender's address and transport (for UDP its source port); `destination` is the local
    /// address it arrived on. Over raw IP the checksum is verified here; over UDP it must be 0.
    case packet(bytes: [UInt8], source: Endpoint, destination: IPAddress)
    /// Data for `peer` is waiting and there is no SA: start a base exchange to one of `endpoints` (the
    /// peer's known addresses, in preference order) unless one is running or established.
    case outboundData(peer: HIT, endpoints: [Endpoint])
    /// ESP traffic arrived on the inbound SA of `peer`: R2-SENT moves to ESTABLISHED (RFC 7401 §6.9 step 21).
    case trafficReceived(peer: HIT)
    /// A `.wake(at:)` deadline has passed.
    case timer
    /// The host's local addresses changed: exchanges in progress retransmit at once.
    case localAddressesChanged([IPAddress])
    /// Close the association with `peer` (CLOSE/CLOSE_ACK, RFC 7401 §5.3.7).
    case close(peer: HIT)
}

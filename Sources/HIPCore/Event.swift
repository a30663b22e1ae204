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
    /// ESP that passed the ICV and the replay check arrived on our inbound SA `spi` of `peer` from `source`:
    /// the shell reports the first packet of each SA and, after that, packets with a new highest sequence
    /// number from a source other than the last one reported. R2-SENT moves to ESTABLISHED (RFC 7401 §6.9
    /// step 21); traffic on a new SA ends the drain of the old one (RFC 7402 §6.9); an unknown source
    /// becomes a locator to verify (RFC 8046 §5.6: it carries no traffic before).
    case espReceived(peer: HIT, spi: UInt32, source: Endpoint)
    /// `peer` lost our association (it restarted: our UPDATEs go unanswered, e.g. a server's renewal): drop
    /// it (its SAs removed) and start a new base exchange to `endpoints`, as for `outboundData`. A CLOSE
    /// would wait for a CLOSE_ACK the peer cannot give.
    case restartExchange(peer: HIT, endpoints: [Endpoint])
    /// A `.wake(at:)` deadline has passed.
    case timer
    /// The host's usable local addresses, complete, in preference order (after the kernel finished duplicate
    /// address detection): established associations announce them with UPDATE (RFC 8046 §3.2.1), and
    /// exchanges in progress retransmit at once. The same list again (the routes changed) makes what is in
    /// flight (I1, I2, an UPDATE) go out again at once.
    case localAddressesChanged([IPAddress])
    /// The configured locators of `peer` (at start and after a reload): they join its locator set as
    /// UNVERIFIED (used only once verified) and are where UPDATEs go when the current locator stops answering.
    case peerLocators(peer: HIT, endpoints: [Endpoint])
    /// The addresses of every configured peer's locators (at start and after a reload, replacing the
    /// earlier table): I1s claiming a peer's HIT from one of its addresses get R1s from their own budget
    /// (KnownLocators), so that floods from other addresses cannot use it up.
    case configuredLocators([HIT: [IPAddress]])
    /// The packets each peer's SAs carried so far (per direction, as the data plane counts them), sent
    /// from time to time (more often than `HostSettings.natKeepaliveInterval`): a count that changed is
    /// traffic, and an association without traffic for `HostSettings.unusedAssociationLifetime` is closed
    /// (UAL, RFC 7401 §4.4.3); a changed sent count postpones the NAT keepalive (RFC 9028 §4.10).
    case trafficCounts([HIT: TrafficCount])
    /// An SA with `peer` is wearing out (bytes or sequence numbers, counted by the data plane): rekey now
    /// (RFC 7402 §6), unless a rekey is already running.
    case rekey(peer: HIT)
    /// Close the association with `peer` (CLOSE/CLOSE_ACK, RFC 7401 §5.3.7).
    case close(peer: HIT)
}

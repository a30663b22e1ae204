// Action: what the core asks the shell to do, in order, after each event.
import HIPWire

/// An output of `HIPHost.handle(_:now:)`. The shell performs the actions in the order given.
public enum Action: Sendable {
    /// Send a HIP packet.
    case send(OutboundPacket)
    /// Install the first ESP SA pair of an association (both directions at once, base exchange).
    case installSA(SecurityAssociationPair)
    /// Install one new inbound SA next to the ones the peer still uses (rekey): it opens packets at once.
    case installInboundSA(DirectionalSA)
    /// Install a new outbound SA, replacing the peer's current one (rekey): ESP goes out on it from the next
    /// packet on.
    case installOutboundSA(DirectionalSA)
    /// Remove one inbound SA that a newer one replaced (its drain is over).
    case retireInboundSA(peer: HIT, spi: UInt32)
    /// Point the outbound SA `outboundSPI` to `peer` at a new outer address (mobility), keeping its keys and
    /// sequence numbers; `source` is the local address to send from, nil to let the shell choose.
    case moveSA(peer: HIT, outboundSPI: UInt32, to: Endpoint, source: IPAddress?)
    /// Remove the SA pair with these SPIs (our inbound, the peer's inbound = our outbound).
    case removeSA(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32)
    /// Our inbound SPI is free again. `HIPHost` has already returned it to its `SPIAllocator`; a shell
    /// that keeps its own table of SPIs may forget it.
    case releaseSPI(UInt32)
    /// Data Relay (RFC 9028 §4.12.3): forward ESP as `routes` say for the registered `client`, replacing its
    /// earlier routes (an empty list removes them: the registration or association ended).
    case relayRoutes(client: HIT, routes: [RelayRoute])
    /// Call `handle(.timer, now:)` at (or soon after) this instant. Replaces any earlier request.
    case wake(at: Instant)
    /// Something the shell should log, count or tell its users.
    case report(Report)
}

/// A HIP packet to send. `bytes` are the HIP packet with checksum 0: over raw IP fill the checksum with
/// `HIPChecksum.fill(&bytes, source:, destination:)` (HIPWire) once the source address is chosen (or let
/// the kernel do it with IPV6_CHECKSUM); over UDP prepend the 4-byte zero marker and leave it 0.
/// (On receipt the core checks the checksum itself, see `Event.packet`.)
public struct OutboundPacket: Sendable {
    public var bytes: [UInt8]
    public var type: PacketType
    public var destination: Endpoint
    /// The local address to send from (the one the peer's packet arrived on), or nil to let the shell
    /// choose.
    public var source: IPAddress?
    /// The peer's HIT (nil only for an opportunistic R1).
    public var peer: HIT?
    /// True for a retransmission (I1, I2, UPDATE, CLOSE) or a cached answer (R2, UPDATE ACK, CLOSE_ACK).
    public var isRetransmission: Bool
    /// True for another host's packet we forward as its rendezvous server or relay (`peer` is its receiver).
    public var isForwarded = false
}

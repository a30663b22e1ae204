// Action: what the core asks the shell to do, in order, after each event.
import HIPWire

/// An output of `HIPHost.handle(_:now:)`. The shell performs the actions in the order given.
public enum Action: Sendable {
    /// Send a HIP packet.
    case send(OutboundPacket)
    /// Install an ESP SA pair (both directions at once).
    case installSA(SecurityAssociationPair)
    /// Remove the SA pair with these SPIs (our inbound, the peer's inbound = our outbound).
    case removeSA(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32)
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
    /// True for a retransmission (I1, I2, CLOSE) or a cached answer (R2, CLOSE_ACK).
    public var isRetransmission: Bool
}

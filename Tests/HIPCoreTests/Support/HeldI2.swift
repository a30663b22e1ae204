// HeldI2: an I2 taken off the test network before delivery, to deliver a rewritten copy instead.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

/// The I2 peer 0 sent to peer 1, not delivered, and the Initiator's pending exchange, whose keys
/// re-MAC a rewritten copy (as an attacker who ran its own exchange, or another implementation, would).
struct HeldI2 {
    let datagram: Datagram
    let pending: Association.PendingI2

    /// The I2's packet without HIP_MAC and HIP_SIGNATURE, ready to rewrite.
    func unsealedPacket() throws -> HIPPacket {
        var packet = try HIPPacket.parse(datagram.bytes)
        packet.parameters.removeAll { [ParameterType.hipMAC, ParameterType.hipSignature].contains($0.type) }
        return packet
    }

    /// A copy of the datagram carrying `packet` MACed with the Initiator's keys and signed by `identity`.
    func resealed(_ packet: HIPPacket, identity: HostIdentity) throws -> Datagram {
        var copy = datagram
        copy.bytes = try PacketSealer.seal(packet, mac: .mac(pending.keys.outgoingIntegrity, pending.keys.hash),
                                           identity: identity)
        return copy
    }
}

extension TestNetwork {
    /// Peer 0 connects to peer 1; the I1 and R1 are delivered and the I2 is taken off the queue.
    mutating func holdI2() throws -> HeldI2 {
        connect(0, to: 1)
        deliver(queue.removeFirst())
        deliver(queue.removeFirst())
        let i2 = queue.removeFirst()
        let pending: Association.PendingI2? =
            if case .i2Sent(let pending)? = association(0, with: 1)?.phase { pending } else { nil }
        return HeldI2(datagram: i2, pending: try #require(pending, "not in I2-SENT"))
    }
}

// ReceivedPacket: a parsed HIP packet together with the bytes it was parsed from (MACs and signatures are
// checked over the received bytes) and where it came from.
import HIPWire

struct ReceivedPacket: Sendable {
    let packet: HIPPacket
    let bytes: [UInt8]
    let source: Endpoint
    let destination: IPAddress
    /// The server it came through, when a rendezvous server or relay forwarded it to us.
    var via: Via? = nil

    /// The address of the host that sent it (for a forwarded packet, the original sender's).
    var senderAddress: IPAddress { via?.origin.address ?? source.address }

    /// A `.report(.rejected)` action for this packet.
    func reject(_ reason: RejectReason, firstCause: RejectReason? = nil) -> Action {
        .report(.rejected(Rejection(reason: reason, packetType: packet.type, peer: packet.senderHIT, source: source,
                                    firstCause: firstCause)))
    }
}

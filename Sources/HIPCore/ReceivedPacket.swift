// ReceivedPacket: a parsed HIP packet together with the bytes it was parsed from (MACs and signatures are
// checked over the received bytes) and where it came from.
import HIPWire

struct ReceivedPacket: Sendable {
    let packet: HIPPacket
    let bytes: [UInt8]
    let source: Endpoint
    let destination: IPAddress

    /// A `.report(.rejected)` action for this packet.
    func reject(_ reason: RejectReason) -> Action {
        .report(.rejected(Rejection(reason: reason, packetType: packet.type, peer: packet.senderHIT, source: source)))
    }
}

// HeaderPeek: the packet type and Sender's HIT of bytes that did not parse, for reports and for the NOTIFY
// that answers an unknown critical parameter (RFC 7401 §5.1 fixed header: type in byte 2, Sender's HIT in
// bytes 8–23).
import HIPWire

struct HeaderPeek {
    let type: PacketType?
    let sender: HIT?
    let receiver: HIT?

    init(_ bytes: [UInt8]) {
        guard bytes.count >= HIPProtocol.headerLength else {
            type = nil
            sender = nil
            receiver = nil
            return
        }
        type = PacketType(rawValue: bytes[2] & 0x7F)
        sender = HIT(bytes: bytes[8..<24])
        receiver = HIT(bytes: bytes[24..<40])
    }
}

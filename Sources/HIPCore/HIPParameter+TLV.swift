// HIPParameter+TLV: a parameter's own TLV bytes, and a TLV sequence decoded on its own (the plaintext of an
// ENCRYPTED parameter, RFC 7401 §5.2.18), built on HIPPacket's public codec.
import HIPWire

extension HIPParameter {
    /// This parameter's TLV as HIPPacket.serialize writes it: Type | Length | Contents | zero padding.
    var encodedTLV: [UInt8] {
        let packet = HIPPacket(type: .notify, senderHIT: .null, receiverHIT: .null, parameters: [self])
        return Array(packet.serialize().dropFirst(HIPProtocol.headerLength))
    }

    /// Decodes a sequence of padded TLVs (ascending types, strict), or throws the HIPWire error.
    static func decodeTLVs(_ bytes: [UInt8]) throws(HIPWireError) -> [HIPParameter] {
        let total = HIPProtocol.headerLength + bytes.count
        guard bytes.count % 8 == 0, total <= HIPProtocol.maximumPacketLength else { throw .badHeaderLength }
        // A minimal valid header (Next Header 59, HdrLen, NOTIFY, version 2 with the fixed bit) in front.
        var packet = [UInt8](repeating: 0, count: HIPProtocol.headerLength)
        packet[0] = HIPProtocol.nextHeader
        packet[1] = UInt8(total / 8 - 1)
        packet[2] = PacketType.notify.rawValue
        packet[3] = HIPProtocol.version << 4 | 0x01
        packet += bytes
        return try HIPPacket.parse(packet).parameters
    }
}

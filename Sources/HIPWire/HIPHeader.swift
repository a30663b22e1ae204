// HIPHeader: the fixed header alone (RFC 7401 §5.1; diagram in HIPPacket.swift), for answering a packet
// whose parameters failed to parse: e.g. NOTIFY UNSUPPORTED_CRITICAL_PARAMETER_TYPE needs the sender's HIT.

/// The validated fixed header of a HIP packet. A value type; parse from anywhere.
public struct HIPHeader: Hashable, Sendable {
    public let type: PacketType
    public let controls: UInt16
    public let senderHIT: HIT
    public let receiverHIT: HIT
    /// The packet length, (Header Length + 1) × 8.
    public let length: Int

    /// Checks the header exactly as `HIPPacket.parse` does (length, Next Header, version, fixed bits,
    /// packet type) without reading the parameters. Errors: the header errors of `HIPPacket.parse`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(HIPWireError) -> HIPHeader {
        try withContiguousBytes(bytes) { buffer throws(HIPWireError) in try parse(buffer) }
    }

    /// `parse` over borrowed bytes.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(HIPWireError) -> HIPHeader {
        let view = try HeaderView(bytes)
        var reader = ByteReader(bytes, error: .truncated)
        try reader.skip(HeaderLayout.senderHIT)
        let sender = try HIT.read(from: &reader)
        let receiver = try HIT.read(from: &reader)
        return HIPHeader(type: try view.packetType(), controls: view.controls, senderHIT: sender,
                         receiverHIT: receiver, length: view.totalLength)
    }
}

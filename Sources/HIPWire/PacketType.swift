// PacketType: the 7-bit HIP Packet Type (RFC 7401 §5.3; UPDATE..CLOSE_ACK §5.3.5–5.3.8).

/// The HIP packet types this implementation sends and accepts. Parsing any other value fails with
/// `HIPWireError.unknownPacketType`.
public enum PacketType: UInt8, Sendable, CaseIterable {
    case i1 = 1, r1 = 2, i2 = 3, r2 = 4, update = 16, notify = 17, close = 18, closeAck = 19
}

// UDPPayload: demultiplexing a datagram on the shared HIP/ESP UDP port (RFC 5770/9028 §5.11, RFC 3948).
//
//  HIP:            | 0x00000000 (non-ESP marker) | HIP packet (≥ 40 bytes) ...
//  ESP:            | SPI (≠ 0)                   | Sequence Number | ...
//  NAT keepalive:  | 0xFF |                        (exactly one byte, RFC 3948 §2.3)

/// What a UDP payload received on the HIP port is.
public enum UDPPayload: Hashable, Sendable {
    /// HIP control; the HIP packet starts at `offset` (after the 4-byte zero marker).
    case hip(offset: Int)
    /// ESP with this SPI (≥ 1); at least the 8-byte ESP header is present.
    case esp(spi: UInt32)
    /// An RFC 3948 NAT-keepalive (a single 0xFF byte): drop it.
    case natKeepalive
    /// Too short for any of the above: drop it and count it.
    case invalid

    /// Classifies a UDP payload without copying. Pure; call from any thread.
    public static func classify(_ payload: UnsafeRawBufferPointer) -> UDPPayload {
        if payload.count == 1 { return payload[0] == 0xFF ? .natKeepalive : .invalid }
        guard payload.count >= WireLimits.espHeaderLength else { return .invalid }
        let first = UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3])
        if first != 0 { return .esp(spi: first) }
        guard payload.count >= HIPProtocol.udpZeroMarkerLength + HIPProtocol.headerLength else { return .invalid }
        return .hip(offset: HIPProtocol.udpZeroMarkerLength)
    }
}

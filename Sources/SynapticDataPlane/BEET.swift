// BEET framing: RFC 7402 §3.1–3.2 (HIP's ESP uses BEET semantics), RFC 4303 §2 (transport-mode ESP).
//
//   inside (TUN), IPv6 between the HITs                outside, inside the ESP payload
//   +--------------------------------------------+
//   |Ver=6| Traffic Class |     Flow Label       |
//   +--------------------------------------------+
//   |  Payload Length   | Next Hdr  | Hop Limit  |    stripped on send: the SA implies both HITs;
//   +--------------------------------------------+    rebuilt on receive with src = peer HIT,
//   |         Source Address (HIT, 16)           |    dst = own HIT, Next Header = the ESP
//   +--------------------------------------------+    trailer's, hop limit from the caller,
//   |       Destination Address (HIT, 16)        |    traffic class and flow label 0
//   +--------------------------------------------+    +----------------------------+
//   |  upper-layer segment (TCP, UDP, ICMPv6 …)  | => |  the same bytes, unchanged |
//   +--------------------------------------------+    +----------------------------+
//
// Upper-layer checksums already use the HIT pseudo-header (RFC 7401 §4.5.1), so nothing else changes.

/// Strips and rebuilds the inner IPv6 header. Pure functions on caller buffers; call from any thread on
/// buffers the caller owns.
enum BEET {
    /// The upper-layer segment of an inner IPv6 packet.
    struct Segment: Equatable {
        /// Offset of the segment in the packet buffer given to `strip` (always 40).
        var offset: Int
        var length: Int
        var nextHeader: UInt8
        var source: PackedHIT
        var destination: PackedHIT
    }

    /// Validates the IPv6 header of `packet` (exactly the bytes read from the inside) and returns the
    /// upper-layer segment. Bytes after Payload Length are ignored (link padding); a jumbogram is malformed.
    static func strip(_ packet: UnsafeRawBufferPointer) throws(DataPlaneError) -> Segment {
        let headerLength = ProtocolConstants.ipv6HeaderLength
        guard packet.count >= headerLength else { throw .truncated }
        guard packet[0] >> 4 == 6 else { throw .badIPVersion }
        let payloadLength = Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        guard headerLength + payloadLength <= packet.count else { throw .badLength }
        guard payloadLength > 0 || packet.count == headerLength else { throw .badLength }
        return Segment(offset: headerLength, length: payloadLength, nextHeader: packet[6],
                       source: PackedHIT(loadingFrom: packet, at: 8),
                       destination: PackedHIT(loadingFrom: packet, at: 24))
    }

    /// Writes an IPv6 header in the 40 bytes before `payloadOffset` and returns the packet's offset.
    static func rebuild(in buffer: UnsafeMutableRawBufferPointer, payloadOffset: Int, payloadLength: Int,
                        nextHeader: UInt8, source: PackedHIT, destination: PackedHIT,
                        hopLimit: UInt8) throws(DataPlaneError) -> Int {
        let headerLength = ProtocolConstants.ipv6HeaderLength
        guard payloadOffset >= headerLength, payloadLength >= 0,
              payloadOffset + payloadLength <= buffer.count else { throw .noRoom }
        guard payloadLength <= ProtocolConstants.maximumIPPayloadLength else { throw .noRoom }
        let start = payloadOffset - headerLength
        buffer.storeBytes(of: UInt32(0x6000_0000).bigEndian, toByteOffset: start, as: UInt32.self)
        buffer.storeBytes(of: UInt16(payloadLength).bigEndian, toByteOffset: start + 4, as: UInt16.self)
        buffer[start + 6] = nextHeader
        buffer[start + 7] = hopLimit
        source.store(to: buffer, at: start + 8)
        destination.store(to: buffer, at: start + 24)
        return start
    }
}

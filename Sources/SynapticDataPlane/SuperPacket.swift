// SuperPacket: one read from a TUN opened with IFF_VNET_HDR, and its segments (TSO and USO done here, as the
// kernel's tcp_gso_segment and __udp_gso_segment would do them).
//
//   read:       | virtio-net header | IP header | TCP/UDP header | payload: gso_size × (n − 1) + last ≤ gso_size |
//   segment k:  | IP header'        | TCP/UDP header'             | payload[k·gso_size ..< min((k+1)·gso_size, end)] |
//
//   IPv4   total length; identification + k; header checksum
//   IPv6   payload length (no extension headers: the transport header follows the fixed header)
//   TCP    sequence number + k·gso_size; FIN and PSH on the last segment only, CWR on the first only
//   UDP    length
//   both   a full checksum over the pseudo-header and the segment (a UDP checksum of 0 is sent as 0xFFFF)
//
// A read without GSO (gso_type NONE) is one segment: the packet copied, its checksum completed when the header
// says NEEDS_CSUM (the field holds the pseudo-header sum; the rest is summed from csum_start to the end).
// Every segment leaves with a complete checksum, so the peer can write it to its TUN alone or coalesced.
// Runs on the packet exactly as read (IPv4 to an LSI or IPv6 to a HIT), before BEET and LSI translation.
// Pure functions of the bytes; no I/O, no allocation.

import HIPWire

/// A parsed read. It views the caller's read buffer, which must stay unchanged while segments are written.
/// A value; use it on the thread that owns that buffer.
public struct SuperPacket {
    private enum Kind {
        case single
        case tcp
        case udp
    }

    /// The IP packet after the virtio-net header.
    private let packet: UnsafeRawBufferPointer
    private let header: VirtioNetHeader
    private let kind: Kind
    private let isIPv4: Bool
    private let ipHeaderLength: Int
    /// IP header plus TCP or UDP header: what every segment repeats.
    private let headerLength: Int
    private let payloadLength: Int
    private let segmentSize: Int
    /// How many segments `write(segment:into:)` makes (at least 1).
    public let segmentCount: Int

    /// Parses `bytes` (virtio-net header, then the packet) as read from the TUN. Throws `.badOffload` when the
    /// header does not describe the packet (a GSO type we did not offer, a checksum outside it, …), the IP
    /// errors of a malformed packet, and `.noRoom` when a segment would be longer than `maximumSegmentLength`.
    public init(parsing bytes: UnsafeRawBufferPointer, maximumSegmentLength: Int) throws(DataPlaneError) {
        guard let header = VirtioNetHeader(loadingFrom: bytes) else { throw .truncated }
        let packet = UnsafeRawBufferPointer(rebasing: bytes[VirtioNetHeader.length...])
        guard !packet.isEmpty else { throw .truncated }
        self.header = header
        self.packet = packet
        switch header.gsoType & ~VirtioNetHeader.gsoECN {
        case VirtioNetHeader.gsoNone:
            if header.flags & VirtioNetHeader.needsChecksum != 0 {
                guard Int(header.checksumStart) + Int(header.checksumOffset) + 2 <= packet.count else { throw .badOffload }
            }
            guard packet.count <= maximumSegmentLength else { throw .noRoom }
            (kind, isIPv4, ipHeaderLength, headerLength) = (.single, packet[0] >> 4 == 4, 0, 0)
            (payloadLength, segmentSize, segmentCount) = (packet.count, packet.count, 1)
            return
        case VirtioNetHeader.gsoTCPv4: (kind, isIPv4) = (.tcp, true)
        case VirtioNetHeader.gsoTCPv6: (kind, isIPv4) = (.tcp, false)
        case VirtioNetHeader.gsoUDPL4: (kind, isIPv4) = (.udp, packet[0] >> 4 == 4)
        default: throw .badOffload
        }
        let (ipHeaderLength, end, transport) = try Self.ipHeader(packet, isIPv4: isIPv4)
        let isTCP = kind == .tcp
        guard transport == (isTCP ? ProtocolConstants.protocolTCP : ProtocolConstants.protocolUDP),
              Int(header.checksumStart) == ipHeaderLength,
              Int(header.checksumOffset) == (isTCP ? ProtocolConstants.tcpChecksumOffset : ProtocolConstants.udpChecksumOffset),
              header.gsoSize > 0 else { throw .badOffload }
        var transportHeaderLength = ProtocolConstants.udpHeaderLength
        if isTCP {
            guard end >= ipHeaderLength + ProtocolConstants.tcpMinimumHeaderLength else { throw .truncated }
            transportHeaderLength = Int(packet[ipHeaderLength + ProtocolConstants.tcpDataOffsetOffset] >> 4) * 4
            guard transportHeaderLength >= ProtocolConstants.tcpMinimumHeaderLength else { throw .badLength }
        }
        guard ipHeaderLength + transportHeaderLength <= end else { throw .truncated }
        self.ipHeaderLength = ipHeaderLength
        headerLength = ipHeaderLength + transportHeaderLength
        payloadLength = end - headerLength
        segmentSize = Int(header.gsoSize)
        segmentCount = max(1, (payloadLength + segmentSize - 1) / segmentSize)
        guard headerLength + min(segmentSize, payloadLength) <= maximumSegmentLength else { throw .noRoom }
    }

    /// The IP header's length, where the packet ends by its length field, and the transport protocol.
    private static func ipHeader(_ packet: UnsafeRawBufferPointer,
                                 isIPv4: Bool) throws(DataPlaneError) -> (length: Int, end: Int, transport: UInt8) {
        if isIPv4 {
            guard packet[0] >> 4 == 4 else { throw .badIPVersion }
            guard packet.count >= ProtocolConstants.ipv4MinimumHeaderLength else { throw .truncated }
            let length = Int(packet[0] & 0x0F) * 4
            let end = Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            guard length >= ProtocolConstants.ipv4MinimumHeaderLength, length <= end, end <= packet.count else {
                throw .badLength
            }
            let fragment = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
            guard fragment & (ProtocolConstants.ipv4MoreFragments | ProtocolConstants.ipv4FragmentOffsetMask) == 0 else {
                throw .fragment
            }
            return (length, end, packet[9])
        }
        guard packet[0] >> 4 == 6 else { throw .badIPVersion }
        guard packet.count >= ProtocolConstants.ipv6HeaderLength else { throw .truncated }
        let end = ProtocolConstants.ipv6HeaderLength
            + Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        guard end <= packet.count else { throw .badLength }
        return (ProtocolConstants.ipv6HeaderLength, end, packet[6])
    }

    /// Writes segment `index` (0 ..< segmentCount) to the start of `buffer` and returns its length. `buffer`
    /// must hold `maximumSegmentLength` bytes (traps otherwise: a caller bug).
    public func write(segment index: Int, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        precondition(index >= 0 && index < segmentCount, "segment index out of range")
        if kind == .single {
            buffer.copyMemory(from: packet)
            if header.flags & VirtioNetHeader.needsChecksum != 0 {
                let start = Int(header.checksumStart)
                var sum = InternetChecksum()
                sum.add(UnsafeRawBufferPointer(rebasing: buffer[start..<packet.count]))
                Self.storeChecksum(sum.checksum, in: buffer, at: start + Int(header.checksumOffset), zeroAsOnes: true)
            }
            return packet.count
        }
        let first = index * segmentSize
        let dataLength = min(segmentSize, payloadLength - first)
        let length = headerLength + dataLength
        precondition(buffer.count >= length, "segment does not fit the buffer")
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[..<headerLength]))
        UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<length])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[(headerLength + first)..<(headerLength + first + dataLength)]))
        let transportLength = length - ipHeaderLength
        if isIPv4 {
            buffer.storeBytes(of: UInt16(length).bigEndian, toByteOffset: 2, as: UInt16.self)
            let identification = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
            buffer.storeBytes(of: (identification &+ UInt16(truncatingIfNeeded: index)).bigEndian, toByteOffset: 4,
                              as: UInt16.self)
            let checksum = InternetChecksum.ipv4HeaderChecksum(UnsafeRawBufferPointer(buffer), length: ipHeaderLength)
            buffer.storeBytes(of: checksum.bigEndian, toByteOffset: 10, as: UInt16.self)
        } else {
            buffer.storeBytes(of: UInt16(transportLength).bigEndian, toByteOffset: 4, as: UInt16.self)
        }
        let transport = UnsafeMutableRawBufferPointer(rebasing: buffer[ipHeaderLength..<length])
        let protocolNumber: UInt8
        let checksumOffset: Int
        if kind == .tcp {
            protocolNumber = ProtocolConstants.protocolTCP
            checksumOffset = ProtocolConstants.tcpChecksumOffset
            let sequence = UInt32(bigEndian: transport.loadUnaligned(fromByteOffset: ProtocolConstants.tcpSequenceOffset,
                                                                     as: UInt32.self))
            transport.storeBytes(of: (sequence &+ UInt32(truncatingIfNeeded: first)).bigEndian,
                                 toByteOffset: ProtocolConstants.tcpSequenceOffset, as: UInt32.self)
            var flags = transport[ProtocolConstants.tcpFlagsOffset]
            if index != segmentCount - 1 { flags &= ~(ProtocolConstants.tcpFIN | ProtocolConstants.tcpPSH) }
            if index != 0 { flags &= ~ProtocolConstants.tcpCWR }
            transport[ProtocolConstants.tcpFlagsOffset] = flags
        } else {
            protocolNumber = ProtocolConstants.protocolUDP
            checksumOffset = ProtocolConstants.udpChecksumOffset
            transport.storeBytes(of: UInt16(transportLength).bigEndian, toByteOffset: ProtocolConstants.udpLengthOffset,
                                 as: UInt16.self)
        }
        transport.storeBytes(of: UInt16(0), toByteOffset: checksumOffset, as: UInt16.self)
        var sum = InternetChecksum.pseudoHeader(of: UnsafeRawBufferPointer(buffer), isIPv4: isIPv4,
                                                length: transportLength, protocol: protocolNumber)
        sum.add(UnsafeRawBufferPointer(transport))
        Self.storeChecksum(sum.checksum, in: buffer, at: ipHeaderLength + checksumOffset, zeroAsOnes: kind == .udp)
        return length
    }

    /// Stores a computed checksum; with `zeroAsOnes` a 0 goes out as 0xFFFF (the same in one's complement;
    /// UDP reserves 0 for "no checksum", RFC 768, and the kernel's skb_checksum_help does it for any protocol).
    private static func storeChecksum(_ checksum: UInt16, in buffer: UnsafeMutableRawBufferPointer, at offset: Int,
                                      zeroAsOnes: Bool) {
        let value = checksum == 0 && zeroAsOnes ? 0xFFFF : checksum
        buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }
}

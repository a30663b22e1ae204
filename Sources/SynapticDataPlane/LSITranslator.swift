// LSI ⇄ HIT translation (digest §8; header mapping after RFC 7915 §4.1/§5.1, checksums RFC 7401 §4.5.1).
//
//   IPv4 to an LSI (RFC 791)                      IPv6 between the HITs (RFC 8200)
//   Version 4, IHL (options ignored)        =>    Version 6
//   Type of Service                         <=>   Traffic Class            (flow label 0)
//   Total Length − IHL·4                    <=>   Payload Length
//   Identification, Flags, Fragment Offset       fragments (MF or offset ≠ 0, IPv6 Fragment header) dropped
//   Time to Live                            <=>   Hop Limit
//   Protocol 1 / 6 / 17 / other             <=>   Next Header 58 / 6 / 17 / same
//   Header Checksum                               (IPv6 has none; recomputed towards IPv4, DF set)
//   Source LSI, Destination LSI             <=>   Source HIT, Destination HIT (given by the caller)
//
// Upper layers: ICMP echo request/reply (8/0) <=> ICMPv6 echo (128/129), checksum recomputed (ICMPv6 adds
// the HIT pseudo-header); other ICMP/ICMPv6 types are untranslatable. TCP and UDP checksums are adjusted
// for the changed pseudo-header (RFC 1624); an IPv4 UDP checksum of 0 is computed in full for IPv6.
// IPv6 extension headers other than a transport header are untranslatable towards IPv4.

import HIPWire

/// Pure, in-place translation between an LSI (IPv4) packet and the HIT (IPv6) packet BEET carries.
/// Call from any thread on buffers the caller owns.
enum LSITranslator {
    /// A translated packet's place in the buffer.
    struct Packet: Equatable {
        var offset: Int
        var length: Int
    }

    /// Translates the IPv4 packet at `offset` (`length` bytes read from the inside) into an IPv6 packet
    /// from `source` to `destination`, written in place; the header grows by 20 bytes into the headroom.
    static func ipv4ToIPv6(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                           source: PackedHIT, destination: PackedHIT) throws(DataPlaneError) -> Packet {
        guard offset >= 0, length >= ProtocolConstants.ipv4MinimumHeaderLength,
              offset + length <= buffer.count else { throw .truncated }
        let packet = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length])
        guard packet[0] >> 4 == 4 else { throw .badIPVersion }
        let headerLength = Int(packet[0] & 0x0F) * 4
        let totalLength = Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
        guard headerLength >= ProtocolConstants.ipv4MinimumHeaderLength, totalLength >= headerLength,
              totalLength <= length else { throw .badLength }
        let fragment = UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        guard fragment & (ProtocolConstants.ipv4MoreFragments | ProtocolConstants.ipv4FragmentOffsetMask) == 0
        else { throw .fragment }
        let trafficClass = packet[1]
        let hopLimit = packet[8]
        let ipv4Protocol = packet[9]
        let source4 = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        let destination4 = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 16, as: UInt32.self))

        let segmentOffset = offset + headerLength
        let segmentLength = totalLength - headerLength
        let ipv6Offset = segmentOffset - ProtocolConstants.ipv6HeaderLength
        guard ipv6Offset >= 0 else { throw .noRoom }
        let segment = UnsafeMutableRawBufferPointer(rebasing: buffer[segmentOffset..<segmentOffset + segmentLength])

        let nextHeader: UInt8
        switch ipv4Protocol {
        case ProtocolConstants.protocolICMP:
            nextHeader = ProtocolConstants.protocolICMPv6
            try translateEcho(segment, from: ProtocolConstants.icmpEchoRequest, ProtocolConstants.icmpEchoReply,
                              to: ProtocolConstants.icmpv6EchoRequest, ProtocolConstants.icmpv6EchoReply)
            var sum = InternetChecksum.ipv6PseudoHeader(source: source, destination: destination,
                                          length: segmentLength, nextHeader: nextHeader)
            sum.add(UnsafeRawBufferPointer(segment))
            segment.storeBytes(of: sum.checksum.bigEndian, toByteOffset: ProtocolConstants.icmpChecksumOffset,
                               as: UInt16.self)
        case ProtocolConstants.protocolTCP, ProtocolConstants.protocolUDP:
            nextHeader = ipv4Protocol
            let old = InternetChecksum.ipv4PseudoHeader(source: source4, destination: destination4, length: segmentLength,
                                          protocol: ipv4Protocol)
            let new = InternetChecksum.ipv6PseudoHeader(source: source, destination: destination, length: segmentLength,
                                          nextHeader: nextHeader)
            try adjustTransportChecksum(segment, protocol: ipv4Protocol, old: old, new: new, computeIfZero: true)
        default:
            nextHeader = ipv4Protocol
        }

        let header = UnsafeMutableRawBufferPointer(rebasing: buffer[ipv6Offset..<segmentOffset])
        let firstWord = UInt32(0x6000_0000) | UInt32(trafficClass) << 20
        header.storeBytes(of: firstWord.bigEndian, toByteOffset: 0, as: UInt32.self)
        header.storeBytes(of: UInt16(segmentLength).bigEndian, toByteOffset: 4, as: UInt16.self)
        header[6] = nextHeader
        header[7] = hopLimit
        source.store(to: header, at: 8)
        destination.store(to: header, at: 24)
        return Packet(offset: ipv6Offset, length: ProtocolConstants.ipv6HeaderLength + segmentLength)
    }

    /// Translates the IPv6 packet at `offset` into an IPv4 packet from LSI `source` to LSI `destination`
    /// (host-order values), in place; the header shrinks by 20 bytes.
    static func ipv6ToIPv4(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                           source: UInt32, destination: UInt32) throws(DataPlaneError) -> Packet {
        guard offset >= 0, length >= ProtocolConstants.ipv6HeaderLength,
              offset + length <= buffer.count else { throw .truncated }
        let ipv6 = try BEET.strip(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]))
        let segmentOffset = offset + ipv6.offset
        let segmentLength = ipv6.length
        let totalLength = ProtocolConstants.ipv4MinimumHeaderLength + segmentLength
        guard totalLength <= ProtocolConstants.maximumIPPayloadLength else { throw .noRoom }
        let firstWord = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        let trafficClass = UInt8(truncatingIfNeeded: firstWord >> 20)
        let hopLimit = buffer[offset + 7]
        let segment = UnsafeMutableRawBufferPointer(rebasing: buffer[segmentOffset..<segmentOffset + segmentLength])

        let ipv4Protocol: UInt8
        switch ipv6.nextHeader {
        case ProtocolConstants.protocolICMPv6:
            ipv4Protocol = ProtocolConstants.protocolICMP
            try translateEcho(segment, from: ProtocolConstants.icmpv6EchoRequest, ProtocolConstants.icmpv6EchoReply,
                              to: ProtocolConstants.icmpEchoRequest, ProtocolConstants.icmpEchoReply)
            var sum = InternetChecksum()
            sum.add(UnsafeRawBufferPointer(segment))
            segment.storeBytes(of: sum.checksum.bigEndian, toByteOffset: ProtocolConstants.icmpChecksumOffset,
                               as: UInt16.self)
        case ProtocolConstants.protocolTCP, ProtocolConstants.protocolUDP:
            ipv4Protocol = ipv6.nextHeader
            let old = InternetChecksum.ipv6PseudoHeader(source: ipv6.source, destination: ipv6.destination,
                                          length: segmentLength, nextHeader: ipv6.nextHeader)
            let new = InternetChecksum.ipv4PseudoHeader(source: source, destination: destination, length: segmentLength,
                                          protocol: ipv4Protocol)
            try adjustTransportChecksum(segment, protocol: ipv4Protocol, old: old, new: new, computeIfZero: false)
        case ProtocolConstants.protocolIPv6Fragment:
            throw .fragment
        case 0, 43, 60:  // Hop-by-Hop, Routing, Destination Options (RFC 8200 §4)
            throw .extensionHeaders
        default:
            ipv4Protocol = ipv6.nextHeader
        }

        let ipv4Offset = segmentOffset - ProtocolConstants.ipv4MinimumHeaderLength
        let header = UnsafeMutableRawBufferPointer(rebasing: buffer[ipv4Offset..<segmentOffset])
        header[0] = 0x45
        header[1] = trafficClass
        header.storeBytes(of: UInt16(totalLength).bigEndian, toByteOffset: 2, as: UInt16.self)
        header.storeBytes(of: UInt32(0x0000_4000).bigEndian, toByteOffset: 4, as: UInt32.self)  // id 0, DF
        header[8] = hopLimit
        header[9] = ipv4Protocol
        header.storeBytes(of: source.bigEndian, toByteOffset: 12, as: UInt32.self)
        header.storeBytes(of: destination.bigEndian, toByteOffset: 16, as: UInt32.self)
        let checksum = InternetChecksum.ipv4HeaderChecksum(UnsafeRawBufferPointer(header), length: header.count)
        header.storeBytes(of: checksum.bigEndian, toByteOffset: 10, as: UInt16.self)
        return Packet(offset: ipv4Offset, length: totalLength)
    }

    /// Rewrites an echo request/reply type; other types are untranslatable.
    private static func translateEcho(_ segment: UnsafeMutableRawBufferPointer, from request: UInt8, _ reply: UInt8,
                                      to newRequest: UInt8, _ newReply: UInt8) throws(DataPlaneError) {
        guard segment.count >= ProtocolConstants.icmpEchoHeaderLength else { throw .truncated }
        guard segment[1] == 0 else { throw .unsupportedICMP }
        switch segment[0] {
        case request: segment[0] = newRequest
        case reply: segment[0] = newReply
        default: throw .unsupportedICMP
        }
        segment.storeBytes(of: UInt16(0), toByteOffset: ProtocolConstants.icmpChecksumOffset, as: UInt16.self)
    }

    /// Adjusts a TCP or UDP checksum for a new pseudo-header; an absent (zero) UDP checksum is computed in
    /// full when `computeIfZero` (IPv6 requires one) and left absent otherwise.
    private static func adjustTransportChecksum(_ segment: UnsafeMutableRawBufferPointer, protocol number: UInt8,
                                                old: InternetChecksum, new: InternetChecksum,
                                                computeIfZero: Bool) throws(DataPlaneError) {
        let isTCP = number == ProtocolConstants.protocolTCP
        let minimum = isTCP ? ProtocolConstants.tcpMinimumHeaderLength : ProtocolConstants.udpHeaderLength
        let checksumOffset = isTCP ? ProtocolConstants.tcpChecksumOffset : ProtocolConstants.udpChecksumOffset
        guard segment.count >= minimum else { throw .truncated }
        let current = UInt16(bigEndian: segment.loadUnaligned(fromByteOffset: checksumOffset, as: UInt16.self))
        var updated: UInt16
        if !isTCP && current == 0 {
            guard computeIfZero else { return }
            var sum = new
            sum.add(UnsafeRawBufferPointer(segment))
            updated = sum.checksum
        } else {
            updated = ChecksumUpdate.adjust(current, removing: old.foldedSum, adding: new.foldedSum)
        }
        if !isTCP && updated == 0 { updated = 0xFFFF }  // RFC 768: a computed zero is sent as all ones
        segment.storeBytes(of: updated.bigEndian, toByteOffset: checksumOffset, as: UInt16.self)
    }
}

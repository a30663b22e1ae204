// PcapWriter: builds a classic pcap file (microsecond timestamps, little-endian) in memory.
//
//  file   = global header (24) ‖ record*
//  record = ts_sec32 | ts_usec32 | incl_len32 | orig_len32 ‖ frame
//  frame  = [Ethernet (14): dst MAC | src MAC | EtherType] ‖ IPv4 or IPv6 header ‖ payload
//  HIP    = IP protocol 139 with the HIP checksum filled in, or UDP (port 10500) ‖ 0x00000000 ‖ HIP
//           with HIP checksum 0 and a correct UDP checksum (RFC 5770/9028)

import Foundation
import HIPWire

/// Writes HIP (and any IP) packets to a pcap that tshark can read. A value type for one test.
public struct PcapWriter {
    /// pcap link types.
    public enum LinkType: UInt32, Sendable {
        /// LINKTYPE_ETHERNET.
        case ethernet = 1
        /// LINKTYPE_RAW: each frame starts with an IPv4 or IPv6 header.
        case rawIP = 101
    }

    /// How a HIP packet travels.
    public enum Transport: Sendable {
        /// IP protocol 139.
        case raw
        /// UDP with the 4-byte zero marker.
        case udp(sourcePort: UInt16, destinationPort: UInt16)
    }

    public let linkType: LinkType
    /// The file contents so far.
    public private(set) var data: [UInt8] = []
    private var frameCount: UInt32 = 0

    public init(linkType: LinkType) {
        self.linkType = linkType
        append32(0xA1B2_C3D4)
        append16(2)
        append16(4)
        append32(0)          // thiszone
        append32(0)          // sigfigs
        append32(65535)      // snaplen
        append32(linkType.rawValue)
    }

    /// Appends one IP packet (wrapped in Ethernet when the link type says so).
    public mutating func append(ipPacket: [UInt8]) {
        var frame = ipPacket
        if linkType == .ethernet {
            let etherType: [UInt8] = ipPacket.first.map { $0 >> 4 == 6 } == true ? [0x86, 0xDD] : [0x08, 0x00]
            frame = [0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01] + etherType + ipPacket
        }
        frameCount += 1
        append32(1_700_000_000 + frameCount / 1000)   // deterministic timestamps, 1 ms apart
        append32(frameCount % 1000 * 1000)
        append32(UInt32(frame.count))
        append32(UInt32(frame.count))
        data += frame
    }

    /// Appends a HIP packet in an IP packet: over raw IP its checksum is filled in for this pseudo-header;
    /// over UDP it is set to 0 and the UDP checksum is computed.
    public mutating func appendHIP(_ message: [UInt8], source: IPAddress, destination: IPAddress,
                                   transport: Transport = .raw) {
        var hip = message
        switch transport {
        case .raw:
            HIPChecksum.fill(&hip, source: source, destination: destination)
            append(ipPacket: Self.ipPacket(protocol: HIPProtocol.ipProtocol, source: source,
                                           destination: destination, payload: hip))
        case .udp(let sourcePort, let destinationPort):
            if hip.count >= 6 {
                hip[4] = 0
                hip[5] = 0
            }
            let udp = Self.udpDatagram(source: source, destination: destination, sourcePort: sourcePort,
                                       destinationPort: destinationPort,
                                       payload: [0, 0, 0, 0] + hip)
            append(ipPacket: Self.ipPacket(protocol: HIPProtocol.udpProtocol, source: source,
                                           destination: destination, payload: udp))
        }
    }

    /// Writes the file.
    public func write(to path: String) throws {
        try Data(data).write(to: URL(fileURLWithPath: path))
    }

    /// An IPv4 (both addresses `.v4`) or IPv6 packet with TTL/hop limit 64 and a correct IPv4 header checksum.
    public static func ipPacket(protocol number: UInt8, source: IPAddress, destination: IPAddress,
                                payload: [UInt8]) -> [UInt8] {
        if case .v4 = source, case .v4 = destination {
            let total = 20 + payload.count
            var header: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, number, 0, 0]
            header += source.bytes + destination.bytes
            let checksum = InternetChecksum.checksum(header)
            header[10] = UInt8(checksum >> 8)
            header[11] = UInt8(checksum & 0xFF)
            return header + payload
        }
        let length = payload.count
        var header: [UInt8] = [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), number, 64]
        header += source.v4Mapped + destination.v4Mapped
        return header + payload
    }

    /// A UDP header and payload with its checksum over the pseudo-header of these addresses.
    public static func udpDatagram(source: IPAddress, destination: IPAddress, sourcePort: UInt16,
                                   destinationPort: UInt16, payload: [UInt8]) -> [UInt8] {
        let length = 8 + payload.count
        var datagram: [UInt8] = [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF),
                                 UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF),
                                 UInt8(length >> 8), UInt8(length & 0xFF), 0, 0] + payload
        var sum = HIPChecksum.pseudoHeaderSum(source: source, destination: destination, length: length,
                                              protocol: HIPProtocol.udpProtocol)
        sum.add(datagram)
        let checksum = sum.checksum == 0 ? 0xFFFF : sum.checksum
        datagram[6] = UInt8(checksum >> 8)
        datagram[7] = UInt8(checksum & 0xFF)
        return datagram
    }

    private mutating func append32(_ value: UInt32) {
        data += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    private mutating func append16(_ value: UInt16) {
        data += [UInt8(value & 0xFF), UInt8(value >> 8)]
    }
}

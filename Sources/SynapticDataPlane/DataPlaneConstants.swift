// Constants of the data plane, in one place: protocol numbers from the RFCs, then implementation limits.

/// Numbers fixed by RFCs (IANA protocol numbers, ICMP types, header sizes).
enum ProtocolConstants {
    /// IPv6 fixed header (RFC 8200 §3).
    static let ipv6HeaderLength = 40
    /// IPv4 header without options (RFC 791 §3.1).
    static let ipv4MinimumHeaderLength = 20
    /// Largest IPv4/IPv6 payload length field.
    static let maximumIPPayloadLength = 65535

    // IANA "Assigned Internet Protocol Numbers".
    static let protocolICMP: UInt8 = 1
    static let protocolTCP: UInt8 = 6
    static let protocolUDP: UInt8 = 17
    static let protocolIPv6Fragment: UInt8 = 44
    static let protocolICMPv6: UInt8 = 58

    // ICMP echo (RFC 792) and ICMPv6 echo (RFC 4443 §4.1/§4.2).
    static let icmpEchoReply: UInt8 = 0
    static let icmpEchoRequest: UInt8 = 8
    static let icmpv6EchoRequest: UInt8 = 128
    static let icmpv6EchoReply: UInt8 = 129

    /// Offsets of the checksum field in TCP (RFC 9293 §3.1), UDP (RFC 768) and ICMP/ICMPv6 headers.
    static let tcpChecksumOffset = 16
    static let udpChecksumOffset = 6
    static let icmpChecksumOffset = 2
    static let tcpMinimumHeaderLength = 20
    /// TCP sequence and acknowledgment numbers, data offset, flags byte and its bits (RFC 9293 §3.1, RFC 3168
    /// §6.1 for ECE and CWR).
    static let tcpSequenceOffset = 4
    static let tcpAcknowledgmentOffset = 8
    static let tcpDataOffsetOffset = 12
    static let tcpFlagsOffset = 13
    static let tcpFIN: UInt8 = 0x01
    static let tcpSYN: UInt8 = 0x02
    static let tcpRST: UInt8 = 0x04
    static let tcpPSH: UInt8 = 0x08
    static let tcpACK: UInt8 = 0x10
    static let tcpURG: UInt8 = 0x20
    static let tcpECE: UInt8 = 0x40
    static let tcpCWR: UInt8 = 0x80
    static let udpLengthOffset = 4
    static let udpHeaderLength = 8
    static let icmpEchoHeaderLength = 8

    /// IPv4 flags/fragment offset: DF and MF bits and the 13-bit offset (RFC 791 §3.1).
    static let ipv4DontFragment: UInt16 = 0x4000
    static let ipv4MoreFragments: UInt16 = 0x2000
    static let ipv4FragmentOffsetMask: UInt16 = 0x1FFF
}

/// Implementation limits of the data plane. Anyone may read them.
public enum DataPlaneLimits {
    /// Bytes kept free before a packet in every PacketBatch buffer: room for an IPv4→IPv6 header growth (20) and
    /// for rebuilding a 40-byte inner IPv6 header in front of an ESP payload (ESP header 8 + IV 0…16).
    public static let headroom = 64
    /// Bytes kept free after a packet: ESP padding (≤ 15 for AES-CBC), Pad Length, Next Header, ICV (16).
    public static let tailroom = 64
    /// Default size of one PacketBatch buffer (headroom + largest packet + tailroom), a multiple of 64.
    public static let defaultBufferSize = 2048
    /// Packets the TCP coalescer joins into one super-packet at most (as the kernel's GRO), and the flows it
    /// follows at once within a batch (a flow beyond them starts over when it comes back).
    public static let maximumCoalescedSegments = 64
    static let coalescerFlows = 8
    /// Words of the anti-replay bitmap; the window is one word less, so advancing never clears live bits.
    static let replayBitmapWords = 32
    /// Slots of the LSI flow table (power of two) and how many a lookup probes.
    public static let lsiFlowTableSlots = 4096
    static let lsiFlowTableProbes = 8
    /// Sequence number at which an SA is due for rekeying by default (2^64 − 2^32): far from the end, so
    /// the rekey has room to finish.
    public static let defaultRekeySequenceLimit: UInt64 = 0xFFFF_FFFF_0000_0000
    /// Sequence numbers an outbound SA may still use past its rekey limit while the rekey runs (2^31); then
    /// it stops sending.
    public static let sequenceNumbersPastRekeyLimit: UInt64 = 1 << 31
}

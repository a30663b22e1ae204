// HIPWire constants: protocol values from the RFCs, then the limits this implementation applies.

/// Protocol constants (RFC 7401, RFC 5770/9028, RFC 3948, RFC 4303). Pure values, usable anywhere.
public enum HIPProtocol {
    /// IP protocol / IPv6 Next Header number of HIP (RFC 7401 §5).
    public static let ipProtocol: UInt8 = 139
    /// HIP over UDP port ("hip-nat-t", RFC 5770/9028).
    public static let udpPort: UInt16 = 10500
    /// Length of the zero "non-ESP marker" before a HIP packet in a UDP payload.
    public static let udpZeroMarkerLength = 4
    /// The fixed HIP header length (RFC 7401 §5.1).
    public static let headerLength = 40
    /// The largest HIP packet: Header Length 255 → (255 + 1) × 8.
    public static let maximumPacketLength = 2048
    /// Next Header value of every HIPv2 packet: IPPROTO_NONE.
    public static let nextHeader: UInt8 = 59
    /// The HIP version this codec speaks.
    public static let version: UInt8 = 2
    /// Controls bit A: the sender's HI is anonymous (RFC 7401 §5.1.2).
    public static let controlAnonymous: UInt16 = 0x0001
    /// IP protocol number of TCP, UDP, ESP (for pseudo-headers and outer headers).
    public static let tcpProtocol: UInt8 = 6
    public static let udpProtocol: UInt8 = 17
    public static let espProtocol: UInt8 = 50
}

/// Byte offsets in the fixed HIP header (RFC 7401 §5.1).
enum HeaderLayout {
    static let nextHeader = 0
    static let headerLength = 1
    static let packetType = 2
    static let versionAndFixedBit = 3
    static let checksum = 4
    static let controls = 6
    static let senderHIT = 8
    static let receiverHIT = 24
}

/// Limits of this implementation that are not protocol values.
enum WireLimits {
    /// TLV header: Type(2) + Length(2).
    static let tlvHeaderLength = 4
    /// TLVs are padded to this alignment (RFC 7401 §5.2.1).
    static let tlvAlignment = 8
    /// ESP header: SPI(4) + Sequence(4).
    static let espHeaderLength = 8
}

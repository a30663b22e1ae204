// VirtioNetHeader: the header in front of every packet on a TUN opened with IFF_VNET_HDR (struct
// virtio_net_hdr, linux/virtio_net.h; virtio 1.2 §5.1.6), in the host's byte order (legacy virtio on a
// little-endian host: synaptic never sets TUNSETVNETBE).
//
//   0       1          2          4          6            8             10
//   | flags | gso_type | hdr_len  | gso_size | csum_start | csum_offset |
//
//   flags      NEEDS_CSUM (1): the checksum at csum_start + csum_offset holds only the pseudo-header sum, the
//              rest is to be added from csum_start to the end; DATA_VALID (2): the checksum was verified
//   gso_type   NONE 0, TCPV4 1, UDP 3 (UFO, never offered), TCPV6 4, UDP_L4 5 (USO); ECN (0x80) or'ed in
//              when the TCP segments carry CWR (only with TUN_F_TSO_ECN, never offered)
//   hdr_len    bytes of headers before the payload (a hint: the kernel may set it loosely)
//   gso_size   payload bytes per segment (the MSS for TCP)

/// One virtio-net header. A plain value; pure functions on caller buffers.
public struct VirtioNetHeader: Equatable, Sendable {
    /// Bytes of the header on the wire.
    public static let length = 10
    public static let needsChecksum: UInt8 = 1
    public static let gsoNone: UInt8 = 0
    public static let gsoTCPv4: UInt8 = 1
    public static let gsoTCPv6: UInt8 = 4
    public static let gsoUDPL4: UInt8 = 5
    public static let gsoECN: UInt8 = 0x80

    public var flags: UInt8 = 0
    public var gsoType: UInt8 = gsoNone
    public var headerLength: UInt16 = 0
    public var gsoSize: UInt16 = 0
    public var checksumStart: UInt16 = 0
    public var checksumOffset: UInt16 = 0

    /// A header that says nothing: no GSO, checksum complete (what a single packet written to the TUN has).
    public init() {}

    public init(flags: UInt8, gsoType: UInt8, headerLength: UInt16, gsoSize: UInt16, checksumStart: UInt16,
                checksumOffset: UInt16) {
        self.flags = flags
        self.gsoType = gsoType
        self.headerLength = headerLength
        self.gsoSize = gsoSize
        self.checksumStart = checksumStart
        self.checksumOffset = checksumOffset
    }

    /// The header at the start of `bytes`; nil when fewer than `length` bytes.
    public init?(loadingFrom bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.length else { return nil }
        flags = bytes[0]
        gsoType = bytes[1]
        headerLength = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        gsoSize = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        checksumStart = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
        checksumOffset = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
    }

    /// Writes the header to the first `length` bytes of `bytes` (the caller checked there is room).
    public func store(to bytes: UnsafeMutableRawBufferPointer) {
        precondition(bytes.count >= Self.length, "no room for a virtio-net header")
        bytes[0] = flags
        bytes[1] = gsoType
        bytes.storeBytes(of: headerLength.littleEndian, toByteOffset: 2, as: UInt16.self)
        bytes.storeBytes(of: gsoSize.littleEndian, toByteOffset: 4, as: UInt16.self)
        bytes.storeBytes(of: checksumStart.littleEndian, toByteOffset: 6, as: UInt16.self)
        bytes.storeBytes(of: checksumOffset.littleEndian, toByteOffset: 8, as: UInt16.self)
    }
}

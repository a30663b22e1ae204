// RawHIPSocket: HIP control packets on raw IP protocol 139 (RFC 7401 §5), IPv4 and IPv6, batched.
//
// IPv4 (AF_INET, SOCK_RAW, 139):
//   receive: each datagram starts with the IPv4 header (parse it with IPv4Header: header length, source,
//            destination); the HIP packet follows it.
//   send:    the kernel writes the IPv4 header; the HIP checksum is NOT computed by the kernel: the caller
//            fills it (RFC 7401 §5.1.1: over the IPv4 pseudo header and the HIP packet; HIPWire's
//            HIPChecksum) using the source address it will send from (`from:` in setDatagram).
// IPv6 (AF_INET6, SOCK_RAW, 139):
//   IPV6_CHECKSUM = 4: the kernel computes the checksum at HIP offset 4 on send (leave the field 0)
//   and verifies it on receive (bad checksums are dropped before we see them). No IP header on receive; the destination
//   comes from IPV6_RECVPKTINFO (DatagramBatch.destination(at:)).
// Every raw 139 socket in the namespace receives every HIP packet, including its own over loopback:
// the node filters by receiver HIT.

import CSynapticShims
import Glibc

/// A raw IP socket for protocol 139 (HIP) of one family.
///
/// Needs CAP_NET_RAW: without it `init` throws a `SystemError` with `isPermissionDenied` (EPERM) and the
/// node falls back to HIP over UDP. Sendable: one thread may receive while another sends; each batch has
/// one owner. Never blocks; wait for readiness on `fileDescriptor`. Peers in batches use port 0.
public final class RawHIPSocket: Sendable {
    /// IANA protocol number of HIP (RFC 7401 §5).
    public static let protocolNumber: Int32 = 139
    /// Offset of the checksum in the HIP header, given to IPV6_CHECKSUM.
    static let checksumOffset: Int32 = 4

    public let family: AddressFamily
    private let descriptor: Descriptor

    /// Opens the socket, sets IPV6_CHECKSUM (IPv6) and packet info, and sizes its buffers.
    public init(family: AddressFamily, bufferBytes: Int = PlatformLimits.defaultSocketBufferBytes) throws(SystemError) {
        self.family = family
        descriptor = try SocketSetup.open(family, type: SOCK_RAW, protocol: RawHIPSocket.protocolNumber,
                                          call: "socket(SOCK_RAW, 139)")
        let fd = descriptor.rawValue
        if family == .v6 {
            try SystemCall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_CHECKSUM,
                                     value: RawHIPSocket.checksumOffset, call: "setsockopt(IPV6_CHECKSUM)")
        }
        try SocketSetup.enablePacketInfo(fd, family)
        try SocketSetup.setBufferSizes(fd, bytes: bufferBytes)
    }

    /// The descriptor, for registering with an EventPoller; -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Closes the socket. Idempotent; stop the I/O threads first.
    public func close() {
        descriptor.close()
    }

    /// Receives up to `batch.capacity` HIP packets with one recvmmsg; returns how many (0 when none was
    /// waiting) and sets `batch.count`. IPv4 datagrams include the IP header.
    @discardableResult
    public func receive(into batch: DatagramBatch) throws(SystemError) -> Int {
        try batch.receive(from: descriptor.rawValue, call: "recvmmsg(raw 139)")
    }

    /// Sends `batch` datagrams `start..<batch.count` with sendmmsg (peers with port 0). See `BatchProgress`.
    public func send(_ batch: DatagramBatch, from start: Int = 0) throws(SystemError) -> BatchProgress {
        try batch.send(to: descriptor.rawValue, from: start, call: "sendmmsg(raw 139)")
    }
}

// UDPSocket: a bound, non-blocking UDP socket with batched receive and send (recvmmsg/sendmmsg).
//
// One socket per address family (IPV6_V6ONLY on the IPv6 one), not one dual-stack socket: each family
// then has its own packet-info option (IP_PKTINFO vs IPV6_RECVPKTINFO) without v4-mapped addresses, GSO
// and buffer sizes per family, and the node runs IPv4 or IPv6 alone when the host has only one (a
// dual-stack socket fails outright where IPv6 is disabled). The node opens both on the shared port.
//
// SO_REUSEADDR is an option, off by default: UDP has no TIME_WAIT, so restarting on the same port needs
// no option, while SO_REUSEADDR on Linux lets a second process bind the same UDP port and silently take
// part of the traffic. "Port in use" is then reported as a typed error (`isAddressInUse`).

import CSynapticShims
import Glibc

/// A UDP socket bound to one address and port.
///
/// Sendable: one thread may receive while another sends; each DatagramBatch has one owner. Receive and
/// send never block (see `receive(into:)`, `send(_:from:)`); wait for readiness on `fileDescriptor` with an
/// EventPoller. Errors are `SystemError`s naming the call; `isAddressInUse` when the port is taken.
public final class UDPSocket: Sendable {
    /// Socket options fixed at creation.
    public struct Options: Hashable, Sendable {
        /// SO_REUSEADDR (see the file comment for why it is off by default).
        public var reuseAddress: Bool
        /// Requested SO_RCVBUF and SO_SNDBUF (forced past rmem_max/wmem_max with CAP_NET_ADMIN).
        public var bufferBytes: Int
        /// UDP_GRO: the kernel may coalesce datagrams of one flow; `DatagramBatch.segmentSize(at:)` then
        /// gives the size to split them at. Receive buffers must then hold 65535 bytes.
        public var receiveOffload: Bool

        public init(reuseAddress: Bool = false, bufferBytes: Int = PlatformLimits.defaultSocketBufferBytes,
                    receiveOffload: Bool = false) {
            self.reuseAddress = reuseAddress
            self.bufferBytes = bufferBytes
            self.receiveOffload = receiveOffload
        }
    }

    public let family: AddressFamily
    private let descriptor: Descriptor

    /// Opens a socket of `address`'s family and binds it (port 0: the kernel picks one, see `localAddress`).
    /// The local address of each received datagram is reported (IP_PKTINFO / IPV6_RECVPKTINFO).
    public init(bindingTo address: SocketAddress, options: Options = Options()) throws(SystemError) {
        family = address.family
        descriptor = try SocketSetup.open(family, type: SOCK_DGRAM, protocol: Int32(IPPROTO_UDP), call: "socket(UDP)")
        let fd = descriptor.rawValue
        if family == .v6 {
            try SystemCall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: Int32(1),
                                     call: "setsockopt(IPV6_V6ONLY)")
        }
        if options.reuseAddress {
            try SystemCall.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: Int32(1),
                                     call: "setsockopt(SO_REUSEADDR)")
        }
        try SocketSetup.setBufferSizes(fd, bytes: options.bufferBytes)
        try SocketSetup.enablePacketInfo(fd, family)
        if options.receiveOffload {
            try SystemCall.setOption(fd, level: SYNAPTIC_SOL_UDP, name: SYNAPTIC_UDP_GRO, value: Int32(1),
                                     call: "setsockopt(UDP_GRO)")
        }
        try SocketSetup.bind(fd, to: address, call: "bind(\(address))")
    }

    /// The bound address and port.
    public func localAddress() throws(SystemError) -> SocketAddress {
        try SocketSetup.localAddress(descriptor.rawValue)
    }

    /// The receive and send buffer sizes in effect (the kernel reports twice the requested value).
    public func bufferSizes() throws(SystemError) -> (receive: Int, send: Int) {
        try SocketSetup.bufferSizes(descriptor.rawValue)
    }

    /// The descriptor, for registering with an EventPoller; -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Closes the socket. Idempotent; stop the I/O threads first.
    public func close() {
        descriptor.close()
    }

    /// Receives up to `batch.capacity` datagrams with one recvmmsg; returns how many (0 when none was
    /// waiting) and sets `batch.count`.
    @discardableResult
    public func receive(into batch: DatagramBatch) throws(SystemError) -> Int {
        try batch.receive(from: descriptor.rawValue, call: "recvmmsg(UDP)")
    }

    /// Sends `batch` datagrams `start..<batch.count` with sendmmsg. See `BatchProgress`.
    public func send(_ batch: DatagramBatch, from start: Int = 0) throws(SystemError) -> BatchProgress {
        try batch.send(to: descriptor.rawValue, from: start, call: "sendmmsg(UDP)")
    }
}

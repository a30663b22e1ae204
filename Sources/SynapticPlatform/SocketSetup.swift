// SocketSetup: opening and configuring the datagram sockets (UDP and raw), in one place.

import CSynapticShims
import Glibc

/// Shared steps of UDPSocket and RawHIPSocket. Internal.
enum SocketSetup {
    /// A non-blocking, close-on-exec socket.
    static func open(_ family: AddressFamily, type: __socket_type, protocol: Int32, call: String) throws(SystemError) -> Descriptor {
        let fd = try SystemCall.retrying(call) {
            socket(family.rawValue, Int32(type.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                   `protocol`)
        }
        return Descriptor(fd)
    }

    /// A socket's receive or send buffer.
    enum Buffer {
        case receive, send
    }

    /// Sets both socket buffers to `bytes` (see `setBufferSize`).
    static func setBufferSizes(_ fd: Int32, bytes: Int) throws(SystemError) {
        try setBufferSize(fd, .receive, bytes: bytes)
        try setBufferSize(fd, .send, bytes: bytes)
    }

    /// Sets one socket buffer to `bytes`: SO_RCVBUFFORCE/SO_SNDBUFFORCE when the process may (CAP_NET_ADMIN),
    /// else SO_RCVBUF/SO_SNDBUF, which the kernel caps at net.core.rmem_max / wmem_max.
    static func setBufferSize(_ fd: Int32, _ buffer: Buffer, bytes: Int) throws(SystemError) {
        let value = Int32(clamping: bytes)
        let (force, plain, name) = switch buffer {
        case .receive: (SYNAPTIC_SO_RCVBUFFORCE, SO_RCVBUF, "SO_RCVBUF")
        case .send: (SYNAPTIC_SO_SNDBUFFORCE, SO_SNDBUF, "SO_SNDBUF")
        }
        do {
            try SystemCall.setOption(fd, level: SOL_SOCKET, name: force, value: value, call: "setsockopt(\(name)FORCE)")
        } catch where error.isPermissionDenied {
            try SystemCall.setOption(fd, level: SOL_SOCKET, name: plain, value: value, call: "setsockopt(\(name))")
        }
    }

    /// Asks for the destination address of each received datagram (IP_PKTINFO / IPV6_RECVPKTINFO).
    static func enablePacketInfo(_ fd: Int32, _ family: AddressFamily) throws(SystemError) {
        switch family {
        case .v4:
            try SystemCall.setOption(fd, level: Int32(IPPROTO_IP), name: IP_PKTINFO, value: Int32(1),
                                     call: "setsockopt(IP_PKTINFO)")
        case .v6:
            try SystemCall.setOption(fd, level: Int32(IPPROTO_IPV6), name: IPV6_RECVPKTINFO, value: Int32(1),
                                     call: "setsockopt(IPV6_RECVPKTINFO)")
        }
    }

    /// bind(2).
    static func bind(_ fd: Int32, to address: SocketAddress, call: String) throws(SystemError) {
        _ = try SystemCall.retrying(call) {
            address.withSockaddr { Glibc.bind(fd, $0, $1) }
        }
    }

    /// getsockname(2).
    static func localAddress(_ fd: Int32) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        let length = try SystemCall.socketName(fd, into: &storage, call: "getsockname")
        guard let address = withUnsafeBytes(of: &storage, {
            SocketAddress(sockaddr: $0.baseAddress!, length: length)
        }) else { throw SystemError.malformed("getsockname", "not an IPv4/IPv6 address") }
        return address
    }

    /// The receive and send buffer sizes the kernel actually uses (it doubles the requested value).
    static func bufferSizes(_ fd: Int32) throws(SystemError) -> (receive: Int, send: Int) {
        let receive = try SystemCall.integerOption(fd, level: SOL_SOCKET, name: SO_RCVBUF, call: "getsockopt(SO_RCVBUF)")
        let send = try SystemCall.integerOption(fd, level: SOL_SOCKET, name: SO_SNDBUF, call: "getsockopt(SO_SNDBUF)")
        return (Int(receive), Int(send))
    }
}

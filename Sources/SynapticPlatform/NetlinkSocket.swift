// NetlinkSocket: opening a NETLINK_ROUTE socket and receiving its datagrams, for requests (RouteNetlink)
// and for subscriptions to the kernel's change notifications (AddressMonitor).
//
// Open: socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) → bind to port 0 (the kernel assigns the port ID) and
// the multicast groups to join (none for requests) → getsockname for the assigned port ID.
// Send: sendto a port ID (0 = the kernel), one datagram.
// Receive: recvfrom with MSG_TRUNC, so a datagram larger than the buffer is reported with its full length
// instead of silently cut; the sender's port ID comes with it (0 = the kernel), because another process
// with CAP_NET_ADMIN may send a datagram to our port and only the kernel's replies and notifications are
// to be believed.

import CSynapticShims
import Glibc

/// Shared steps of RouteNetlink and AddressMonitor. Internal.
enum NetlinkSocket {
    /// Opens a close-on-exec NETLINK_ROUTE socket (non-blocking when asked) bound to the multicast
    /// `groups` (RTMGRP_* bits; 0 for a request socket). Returns it with the port ID the kernel assigned.
    static func open(groups: UInt32, nonBlocking: Bool) throws(SystemError) -> (descriptor: Descriptor, portID: UInt32) {
        let type = Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let descriptor = Descriptor(try SystemCall.retrying("socket(AF_NETLINK)") {
            socket(AF_NETLINK, type, SYNAPTIC_NETLINK_ROUTE)
        })
        let fd = descriptor.rawValue
        var address = synaptic_sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        _ = try SystemCall.retrying("bind(AF_NETLINK)") {
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<synaptic_sockaddr_nl>.size))
                }
            }
        }
        return (descriptor, try portID(of: fd))
    }

    /// The port ID the kernel assigned to the bound netlink socket `fd` (getsockname).
    static func portID(of fd: Int32) throws(SystemError) -> UInt32 {
        var address = synaptic_sockaddr_nl()
        _ = try SystemCall.socketName(fd, into: &address, call: "getsockname(AF_NETLINK)")
        return address.nl_pid
    }

    /// Sends `bytes` (one or more encoded messages) as one datagram to port `destination` (0: the kernel).
    /// A short send throws `SystemError` (malformed).
    static func send(_ bytes: [UInt8], on fd: Int32, to destination: UInt32, call: String) throws(SystemError) {
        var address = synaptic_sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_pid = destination
        let sent = try SystemCall.retrying(call) {
            bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<synaptic_sockaddr_nl>.size))
                    }
                }
            }
        }
        guard sent == bytes.count else { throw SystemError.malformed(call, "sent \(sent) of \(bytes.count) bytes") }
    }

    /// Receives one datagram into `buffer`. Returns its full length (larger than `buffer.count` when it was
    /// truncated) and the port ID of its sender (0: the kernel); nil when none is waiting (EAGAIN: the
    /// socket is non-blocking, or its SO_RCVTIMEO passed). Other failures throw, e.g. errno ENOBUFS when
    /// the kernel dropped notifications because the receive buffer was full.
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer,
                        call: String) throws(SystemError) -> (length: Int, sender: UInt32)? {
        var sender = synaptic_sockaddr_nl()
        var length = socklen_t(MemoryLayout<synaptic_sockaddr_nl>.size)
        let count = try SystemCall.unlessWouldBlock(call) {
            withUnsafeMutablePointer(to: &sender) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    recvfrom(fd, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC), $0, &length)
                }
            }
        }
        return count.map { (Int($0), sender.nl_pid) }
    }
}

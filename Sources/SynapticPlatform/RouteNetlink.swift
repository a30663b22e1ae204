// RouteNetlink: a NETLINK_ROUTE socket that configures links, addresses and routes.
//
// Chosen over spawning `ip`: no dependency on iproute2 at run time, typed errors with the kernel's own
// extended-ack text, no process per change, and it works with only CAP_NET_ADMIN. The codec is
// NetlinkMessage/NetlinkAttribute; the message bodies are InterfaceAddress, IPRoute and LinkInfo.
//
// Request flow: send one message with NLM_F_ACK, read until the NLMSG_ERROR reply with our sequence
// number (error 0 = done, -errno = failure, with NLMSGERR_ATTR_MSG text when the kernel gives one).
// Dumps: NLM_F_DUMP, collect messages with our sequence number until NLMSG_DONE. Datagrams that other
// processes send to our port are ignored (NetlinkSocket).

import CSynapticShims
import Glibc

/// A rtnetlink socket bound in the network namespace of the thread that creates it.
///
/// Control path only (setup, queries); allocates per request. Not Sendable: one thread at a time. Every
/// method throws `SystemError`: `isPermissionDenied` without CAP_NET_ADMIN, errno EEXIST for an address or
/// route that is already there, ENODEV for an unknown interface index; a malformed kernel reply gives
/// `isMalformedReply`. Replies are awaited for at most 5 seconds (then errno EAGAIN).
public final class RouteNetlink {
    private let descriptor: Descriptor
    private var sequence: UInt32
    private let portID: UInt32
    private let receiveBuffer: UnsafeMutableRawBufferPointer

    public init() throws(SystemError) {
        (descriptor, portID) = try NetlinkSocket.open(groups: 0, nonBlocking: false)
        sequence = UInt32(truncatingIfNeeded: time(nil))
        receiveBuffer = .allocate(byteCount: PlatformLimits.netlinkReceiveBuffer, alignment: 8)
        try configure(descriptor.rawValue)
    }

    deinit {
        receiveBuffer.deallocate()
    }

    private func configure(_ fd: Int32) throws(SystemError) {
        // Extended acks carry the kernel's reason text; capped acks do not echo our request back.
        try SystemCall.setOption(fd, level: SYNAPTIC_SOL_NETLINK, name: SYNAPTIC_NETLINK_EXT_ACK, value: Int32(1),
                                 call: "setsockopt(NETLINK_EXT_ACK)")
        try SystemCall.setOption(fd, level: SYNAPTIC_SOL_NETLINK, name: SYNAPTIC_NETLINK_CAP_ACK, value: Int32(1),
                                 call: "setsockopt(NETLINK_CAP_ACK)")
        let timeout = timeval(tv_sec: PlatformLimits.netlinkReplyTimeoutSeconds, tv_usec: 0)
        try SystemCall.setOption(fd, level: SOL_SOCKET, name: SO_RCVTIMEO, value: timeout,
                                 call: "setsockopt(SO_RCVTIMEO)")
    }

    /// Closes the socket; later calls fail with EBADF.
    public func close() {
        descriptor.close()
    }

    // MARK: - Changes

    /// Sets link `index` up or down and/or its MTU.
    public func setLink(index: UInt32, up: Bool? = nil, mtu: Int? = nil) throws(SystemError) {
        var mtuValue: UInt32?
        if let mtu {
            guard let value = UInt32(exactly: mtu) else { throw SystemError.invalidArgument("RTM_NEWLINK", "MTU \(mtu)") }
            mtuValue = value
        }
        try acknowledged(LinkInfo.changeMessage(index: index, up: up, mtu: mtuValue), call: "RTM_NEWLINK")
    }

    /// Adds `prefix` as an address of interface `index`. IPv6 addresses skip duplicate address detection
    /// and add no prefix route (see InterfaceAddress). EEXIST if it is already there.
    public func addAddress(_ prefix: IPPrefix, interfaceIndex index: UInt32) throws(SystemError) {
        let flags: UInt32 = prefix.address.family == .v6
            ? UInt32(SYNAPTIC_IFA_F_NODAD | SYNAPTIC_IFA_F_NOPREFIXROUTE) : 0
        let address = InterfaceAddress(prefix: prefix, interfaceIndex: index, flags: flags)
        try acknowledged(address.newAddressMessage(), call: "RTM_NEWADDR")
    }

    /// Adds a main-table route to `destination` out of interface `index`, with `preferredSource` as the
    /// source the kernel picks (it must already be an address of that interface). EEXIST if present.
    public func addRoute(_ destination: IPPrefix, interfaceIndex index: UInt32,
                         preferredSource: InetAddress? = nil) throws(SystemError) {
        if let preferredSource, preferredSource.family != destination.address.family {
            throw SystemError.invalidArgument("RTM_NEWROUTE", "source \(preferredSource) for \(destination)")
        }
        let route = IPRoute(destination: destination, interfaceIndex: index, preferredSource: preferredSource)
        try acknowledged(route.newRouteMessage(), call: "RTM_NEWROUTE")
    }

    // MARK: - Queries

    /// The link with this index (ENODEV if none).
    public func link(index: UInt32) throws(SystemError) -> LinkInfo {
        try LinkInfo(message: single(LinkInfo.getMessage(index: index, name: nil), call: "RTM_GETLINK"))
    }

    /// The link with this name (ENODEV if none).
    public func link(named name: String) throws(SystemError) -> LinkInfo {
        guard !name.isEmpty, name.utf8.count <= PlatformLimits.interfaceNameMaximum else {
            throw SystemError.invalidArgument("RTM_GETLINK", "interface name \"\(name)\"")
        }
        return try LinkInfo(message: single(LinkInfo.getMessage(index: 0, name: name), call: "RTM_GETLINK"))
    }

    /// Every address of `family` in this namespace.
    public func addresses(family: AddressFamily) throws(SystemError) -> [InterfaceAddress] {
        var message = NetlinkMessage(type: UInt16(SYNAPTIC_RTM_GETADDR),
                                     flags: UInt16(SYNAPTIC_NLM_F_REQUEST | SYNAPTIC_NLM_F_DUMP))
        message.appendFixed([UInt8(truncatingIfNeeded: family.rawValue), 0, 0, 0, 0, 0, 0, 0])
        var result: [InterfaceAddress] = []
        for reply in try dump(message, call: "RTM_GETADDR") where reply.type == UInt16(SYNAPTIC_RTM_NEWADDR) {
            result.append(try InterfaceAddress(message: reply))
        }
        return result
    }

    /// The addresses of both families that may be announced to peers as locators
    /// (`InterfaceAddress.isUsableAsLocator`): IPv4 first, deprecated ones after all others.
    public func usableAddresses() throws(SystemError) -> [InterfaceAddress] {
        let usable = try (addresses(family: .v4) + addresses(family: .v6)).filter(\.isUsableAsLocator)
        return usable.filter { !$0.isDeprecated } + usable.filter(\.isDeprecated)
    }

    /// Every route of `family` in every table of this namespace.
    public func routes(family: AddressFamily) throws(SystemError) -> [IPRoute] {
        var message = NetlinkMessage(type: UInt16(SYNAPTIC_RTM_GETROUTE),
                                     flags: UInt16(SYNAPTIC_NLM_F_REQUEST | SYNAPTIC_NLM_F_DUMP))
        message.appendFixed([UInt8(truncatingIfNeeded: family.rawValue)] + [UInt8](repeating: 0, count: 11))
        var result: [IPRoute] = []
        for reply in try dump(message, call: "RTM_GETROUTE") where reply.type == UInt16(SYNAPTIC_RTM_NEWROUTE) {
            result.append(try IPRoute(message: reply))
        }
        return result
    }

    // MARK: - Exchange

    /// Sends `message` and waits for its acknowledgement.
    private func acknowledged(_ message: NetlinkMessage, call: String) throws(SystemError) {
        _ = try exchange(message, call: call) { _ in false }
    }

    /// Sends a request that is answered by one message (or an error).
    private func single(_ message: NetlinkMessage, call: String) throws(SystemError) -> NetlinkMessage {
        var request = message
        request.flags |= UInt16(SYNAPTIC_NLM_F_ACK)
        let replies = try exchange(request, call: call) { _ in false }
        guard let reply = replies.first else { throw SystemError.malformed(call, "no reply before the acknowledgement") }
        return reply
    }

    /// Sends a dump request and collects its replies.
    private func dump(_ message: NetlinkMessage, call: String) throws(SystemError) -> [NetlinkMessage] {
        try exchange(message, call: call) { $0.type == UInt16(SYNAPTIC_NLMSG_DONE) }
    }

    /// Sends `message` with the next sequence number, then reads replies with that number until an
    /// NLMSG_ERROR (an ack or a failure) or a message for which `isEnd` holds. Returns the other replies.
    private func exchange(_ message: NetlinkMessage, call: String,
                          isEnd: (NetlinkMessage) -> Bool) throws(SystemError) -> [NetlinkMessage] {
        sequence &+= 1
        var request = message
        request.sequence = sequence
        request.portID = portID
        let fd = descriptor.rawValue
        try NetlinkSocket.send(request.encoded(), on: fd, to: 0, call: "sendto(\(call))")

        var replies: [NetlinkMessage] = []
        while true {
            let buffer = receiveBuffer
            guard let (count, sender) = try NetlinkSocket.receive(fd, into: buffer, call: "recv(\(call))") else {
                throw SystemError(call: "recv(\(call))", errno: EAGAIN)  // SO_RCVTIMEO passed
            }
            guard sender == 0 else { continue }  // not from the kernel
            guard count <= buffer.count else {
                throw SystemError.malformed(call, "reply of \(count) bytes truncated to \(buffer.count)")
            }
            for reply in try NetlinkMessage.parseAll(UnsafeRawBufferPointer(rebasing: buffer[..<count]), call: call)
            where reply.sequence == sequence {
                if reply.type == UInt16(SYNAPTIC_NLMSG_ERROR) || reply.type == UInt16(SYNAPTIC_NLMSG_DONE) {
                    try reply.checkStatus(call: call)
                }
                if reply.type == UInt16(SYNAPTIC_NLMSG_ERROR) || isEnd(reply) { return replies }
                replies.append(reply)
            }
        }
    }
}

// IPRoute: a route through an interface, as RTM_NEWROUTE carries it (RFC 3549 §3.1; Linux
// include/uapi/linux/rtnetlink.h, which is normative here: the kernel is the peer).
//
// Payload after the netlink header (struct rtmsg, 12 bytes, then attributes):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Family     |  Dst length   |  Src length   |      TOS      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  Table (8b)   |   Protocol    |     Scope     |     Type      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Flags (host order)                      |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | RTA_DST (1): prefix | RTA_OIF (4): u32 ifindex | RTA_PREFSRC (7): source | RTA_TABLE (15): u32 table
//
// Routes we add: main table, protocol static, scope link (no gateway: the TUN is point-to-point),
// type unicast, with a preferred source (the HIT or LSI) so the kernel never picks another address.

import CSynapticShims

/// A route to a prefix through an interface (what `ip route` lists for such routes). Sendable value.
public struct IPRoute: Hashable, Sendable {
    static let fixedLength = 12

    public var destination: IPPrefix
    /// RTA_OIF; nil for routes without an output interface (e.g. unreachable).
    public var interfaceIndex: UInt32?
    /// RTA_PREFSRC: the source address the kernel uses for packets on this route.
    public var preferredSource: InetAddress?
    /// Routing table (RTA_TABLE when present); 254 is main.
    public var table: UInt32
    /// RTPROT_*: 2 kernel, 3 boot, 4 static.
    public var routingProtocol: UInt8
    /// RTN_*: 1 unicast, 2 local, ...
    public var type: UInt8

    public init(destination: IPPrefix, interfaceIndex: UInt32?, preferredSource: InetAddress? = nil,
                table: UInt32 = UInt32(SYNAPTIC_RT_TABLE_MAIN), routingProtocol: UInt8 = UInt8(SYNAPTIC_RTPROT_STATIC),
                type: UInt8 = UInt8(SYNAPTIC_RTN_UNICAST)) {
        self.destination = destination
        self.interfaceIndex = interfaceIndex
        self.preferredSource = preferredSource
        self.table = table
        self.routingProtocol = routingProtocol
        self.type = type
    }

    /// The RTM_NEWROUTE request that adds this route (fails with EEXIST if present).
    func newRouteMessage() -> NetlinkMessage {
        var message = NetlinkMessage(
            type: UInt16(SYNAPTIC_RTM_NEWROUTE),
            flags: UInt16(SYNAPTIC_NLM_F_REQUEST | SYNAPTIC_NLM_F_ACK | SYNAPTIC_NLM_F_CREATE | SYNAPTIC_NLM_F_EXCL))
        var fixed = [UInt8(truncatingIfNeeded: destination.address.family.rawValue), UInt8(destination.length), 0, 0,
                     table < 256 ? UInt8(table) : 252 /* RT_TABLE_COMPAT; RTA_TABLE holds it */, routingProtocol, UInt8(SYNAPTIC_RT_SCOPE_LINK), type]
        NetlinkMessage.appendHost(UInt32(0), to: &fixed)
        message.appendFixed(fixed)
        message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_RTA_TABLE), uint32: table))
        message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_RTA_DST), address: destination.address))
        if let interfaceIndex {
            message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_RTA_OIF), uint32: interfaceIndex))
        }
        if let preferredSource {
            message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_RTA_PREFSRC), address: preferredSource))
        }
        return message
    }

    /// Reads an RTM_NEWROUTE message (a dump reply). A route without RTA_DST is the default route (length 0).
    init(message: NetlinkMessage) throws(SystemError) {
        let call = "RTM_GETROUTE"
        let payload = message.payload
        guard payload.count >= IPRoute.fixedLength else {
            throw SystemError.malformed(call, "rtmsg of \(payload.count) bytes")
        }
        let family: AddressFamily
        switch Int32(payload[0]) {
        case AddressFamily.v4.rawValue: family = .v4
        case AddressFamily.v6.rawValue: family = .v6
        default: throw SystemError.malformed(call, "route family \(payload[0])")
        }
        let attributes = try message.attributes(after: IPRoute.fixedLength, call: call)
        let unspecified: InetAddress = family == .v4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(high: 0, low: 0))
        let dst = attributes.first { $0.type == UInt16(SYNAPTIC_RTA_DST) }?.address(family) ?? unspecified
        guard let destination = IPPrefix(dst, length: Int(payload[1])) else {
            throw SystemError.malformed(call, "destination length \(payload[1])")
        }
        self.init(destination: destination,
                  interfaceIndex: attributes.first { $0.type == UInt16(SYNAPTIC_RTA_OIF) }?.uint32,
                  preferredSource: attributes.first { $0.type == UInt16(SYNAPTIC_RTA_PREFSRC) }?.address(family),
                  table: attributes.first { $0.type == UInt16(SYNAPTIC_RTA_TABLE) }?.uint32 ?? UInt32(payload[4]),
                  routingProtocol: payload[5], type: payload[7])
    }
}

// LinkInfo: an interface's state, as RTM_NEWLINK carries it (RFC 3549 §3.1; Linux
// include/uapi/linux/rtnetlink.h and if_link.h, which are normative here: the kernel is the peer).
//
// Payload after the netlink header (struct ifinfomsg, 16 bytes, then attributes):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Family     |   (padding)   |       Device type (ARPHRD)    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Interface index (signed, host order)         |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                       Flags (IFF_*)                           |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                Change mask (which flags to set)               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | IFLA_IFNAME (3): NUL-terminated name | IFLA_MTU (4): u32 MTU
//
// Changing a link: RTM_NEWLINK without NLM_F_CREATE on an existing index, flags/change for IFF_UP,
// IFLA_MTU for the MTU.

import CSynapticShims
import Glibc

/// An interface's index, name, MTU and flags (what `ip link` lists). Sendable value.
public struct LinkInfo: Hashable, Sendable {
    static let fixedLength = 16

    public var index: UInt32
    public var name: String
    public var mtu: UInt32?
    /// IFF_* flags (IFF_UP = 0x1, IFF_POINTOPOINT = 0x10, IFF_NOARP = 0x80, ...).
    public var flags: UInt32

    public var isUp: Bool { flags & UInt32(IFF_UP) != 0 }

    /// The RTM_NEWLINK request that changes link `index`: IFF_UP to `up` when given, the MTU when given.
    static func changeMessage(index: UInt32, up: Bool?, mtu: UInt32?) -> NetlinkMessage {
        var message = NetlinkMessage(type: UInt16(SYNAPTIC_RTM_NEWLINK),
                                     flags: UInt16(SYNAPTIC_NLM_F_REQUEST | SYNAPTIC_NLM_F_ACK))
        let upFlag = UInt32(IFF_UP)
        var fixed: [UInt8] = [UInt8(AF_UNSPEC), 0, 0, 0]
        NetlinkMessage.appendHost(index, to: &fixed)
        NetlinkMessage.appendHost(up == true ? upFlag : 0, to: &fixed)
        NetlinkMessage.appendHost(up == nil ? 0 : upFlag, to: &fixed)
        message.appendFixed(fixed)
        if let mtu {
            message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_IFLA_MTU), uint32: mtu))
        }
        return message
    }

    /// The RTM_GETLINK request for one link, by index (when non-zero) or by name.
    static func getMessage(index: UInt32, name: String?) -> NetlinkMessage {
        var message = NetlinkMessage(type: UInt16(SYNAPTIC_RTM_GETLINK), flags: UInt16(SYNAPTIC_NLM_F_REQUEST))
        var fixed: [UInt8] = [UInt8(AF_UNSPEC), 0, 0, 0]
        NetlinkMessage.appendHost(index, to: &fixed)
        NetlinkMessage.appendHost(UInt32(0), to: &fixed)
        NetlinkMessage.appendHost(UInt32(0), to: &fixed)
        message.appendFixed(fixed)
        if let name {
            message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_IFLA_IFNAME), string: name))
        }
        return message
    }

    /// Reads an RTM_NEWLINK message (the reply to RTM_GETLINK).
    init(message: NetlinkMessage) throws(SystemError) {
        let call = "RTM_GETLINK"
        let payload = message.payload
        guard payload.count >= LinkInfo.fixedLength,
              let index = NetlinkMessage.loadHost(UInt32.self, from: payload, at: 4),
              let flags = NetlinkMessage.loadHost(UInt32.self, from: payload, at: 8) else {
            throw SystemError.malformed(call, "ifinfomsg of \(payload.count) bytes")
        }
        let attributes = try message.attributes(after: LinkInfo.fixedLength, call: call)
        guard let name = attributes.first(where: { $0.type == UInt16(SYNAPTIC_IFLA_IFNAME) })?.string else {
            throw SystemError.malformed(call, "IFLA_IFNAME missing")
        }
        self.index = index
        self.name = name
        self.mtu = attributes.first { $0.type == UInt16(SYNAPTIC_IFLA_MTU) }?.uint32
        self.flags = flags
    }
}

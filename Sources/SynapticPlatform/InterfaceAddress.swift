// InterfaceAddress: an address on an interface, as RTM_NEWADDR carries it (RFC 3549 §3.1; Linux
// include/uapi/linux/if_addr.h, which is normative here: the kernel is the peer).
//
// Payload after the netlink header (struct ifaddrmsg, 8 bytes, then attributes):
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |    Family     | Prefix length |  Flags (low)  |     Scope     |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                    Interface index (host order)               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// | IFA_LOCAL (2): the address | IFA_ADDRESS (1): peer, or the address again | IFA_FLAGS (8): u32 flags
//
// IPv6 addresses are added with IFA_F_NODAD (no duplicate address detection, so they are usable at once;
// a TUN has no link layer to collide on) and IFA_F_NOPREFIXROUTE (routes are added explicitly).

import CSynapticShims

/// An IP address with its prefix length on an interface (what `ip addr` lists). Sendable value.
public struct InterfaceAddress: Hashable, Sendable {
    static let fixedLength = 8

    public var prefix: IPPrefix
    public var interfaceIndex: UInt32
    /// IFA_F_* flags (IFA_FLAGS when present, else the 8-bit field).
    public var flags: UInt32
    /// RT_SCOPE_*: 0 universe, 253 link, 254 host.
    public var scope: UInt8

    public init(prefix: IPPrefix, interfaceIndex: UInt32, flags: UInt32 = 0, scope: UInt8 = 0) {
        self.prefix = prefix
        self.interfaceIndex = interfaceIndex
        self.flags = flags
        self.scope = scope
    }

    /// The RTM_NEWADDR request that adds this address (fails with EEXIST if present).
    func newAddressMessage() -> NetlinkMessage {
        var message = NetlinkMessage(
            type: UInt16(SYNAPTIC_RTM_NEWADDR),
            flags: UInt16(SYNAPTIC_NLM_F_REQUEST | SYNAPTIC_NLM_F_ACK | SYNAPTIC_NLM_F_CREATE | SYNAPTIC_NLM_F_EXCL))
        var fixed = [UInt8(truncatingIfNeeded: prefix.address.family.rawValue), UInt8(prefix.length),
                     UInt8(truncatingIfNeeded: flags), scope]
        NetlinkMessage.appendHost(interfaceIndex, to: &fixed)
        message.appendFixed(fixed)
        message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_IFA_LOCAL), address: prefix.address))
        message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_IFA_ADDRESS), address: prefix.address))
        message.append(NetlinkAttribute(type: UInt16(SYNAPTIC_IFA_FLAGS), uint32: flags))
        return message
    }

    /// Reads an RTM_NEWADDR message (a dump reply). The address is IFA_LOCAL when present (IPv4 and
    /// point-to-point links), else IFA_ADDRESS. Throws `SystemError` (malformed) if neither fits the family.
    init(message: NetlinkMessage) throws(SystemError) {
        let call = "RTM_GETADDR"
        let payload = message.payload
        guard payload.count >= InterfaceAddress.fixedLength,
              let index = NetlinkMessage.loadHost(UInt32.self, from: payload, at: 4) else {
            throw SystemError.malformed(call, "ifaddrmsg of \(payload.count) bytes")
        }
        let family: AddressFamily
        switch Int32(payload[0]) {
        case AddressFamily.v4.rawValue: family = .v4
        case AddressFamily.v6.rawValue: family = .v6
        default: throw SystemError.malformed(call, "address family \(payload[0])")
        }
        let attributes = try message.attributes(after: InterfaceAddress.fixedLength, call: call)
        let local = attributes.first { $0.type == UInt16(SYNAPTIC_IFA_LOCAL) }?.address(family)
        let address = attributes.first { $0.type == UInt16(SYNAPTIC_IFA_ADDRESS) }?.address(family)
        guard let chosen = local ?? address, let prefix = IPPrefix(chosen, length: Int(payload[1])) else {
            throw SystemError.malformed(call, "address attribute missing or prefix length \(payload[1]) invalid")
        }
        let extendedFlags = attributes.first { $0.type == UInt16(SYNAPTIC_IFA_FLAGS) }?.uint32
        self.init(prefix: prefix, interfaceIndex: index, flags: extendedFlags ?? UInt32(payload[2]), scope: payload[3])
    }
}

// InterfaceAddress+Locator: which local addresses may be announced to peers as HIP locators (LOCATOR_SET,
// RFC 8046 §4), judged from the kernel's address flags (Linux if_addr.h IFA_F_*), scope and the address.
//
// Flags, as the kernel reports them in IFA_FLAGS (or the 8-bit ifa_flags of older kernels):
//   IFA_F_TENTATIVE  0x40  IPv6 duplicate address detection (DAD) still runs: the kernel does not send
//                          from the address yet. A second RTM_NEWADDR without the flag follows when DAD ends.
//   IFA_F_OPTIMISTIC 0x04  optimistic DAD (RFC 4429): tentative but already usable; set with TENTATIVE.
//   IFA_F_DADFAILED  0x08  DAD found a duplicate: never usable.
//   IFA_F_DEPRECATED 0x20  the preferred lifetime ended (RFC 4862 §5.5.4): still valid for sessions that
//                          use it, but new ones should pick another address.
//
// Never locators: link-local (fe80::/10, 169.254.0.0/16: meaningless beyond the link), loopback (::1,
// 127.0.0.0/8), our own overlay addresses (HITs in ORCHIDv2 2001:20::/28, RFC 7343; LSIs in 1.0.0.0/8),
// which would make a peer reach our HIT through our HIT, and addresses of link or host scope.

import CSynapticShims

extension InterfaceAddress {
    /// IFA_F_TENTATIVE: duplicate address detection has not finished.
    public var isTentative: Bool { flags & UInt32(SYNAPTIC_IFA_F_TENTATIVE) != 0 }

    /// IFA_F_DADFAILED: duplicate address detection found the address in use by another node.
    public var isDADFailed: Bool { flags & UInt32(SYNAPTIC_IFA_F_DADFAILED) != 0 }

    /// IFA_F_DEPRECATED: the preferred lifetime has ended; usable, but not for new associations if another
    /// address is available.
    public var isDeprecated: Bool { flags & UInt32(SYNAPTIC_IFA_F_DEPRECATED) != 0 }

    /// IFA_F_OPTIMISTIC: tentative, but usable during duplicate address detection (RFC 4429).
    public var isOptimistic: Bool { flags & UInt32(SYNAPTIC_IFA_F_OPTIMISTIC) != 0 }

    /// Whether the address may be announced to peers as a locator: the kernel sends from it (not tentative
    /// unless optimistic, not DAD-failed), its scope is wider than the link, and it is not link-local,
    /// loopback, a HIT (2001:20::/28) or an LSI (1.0.0.0/8). Deprecated addresses are usable (sessions
    /// on them keep working) but not preferred: rank them after the others (`RouteNetlink.usableAddresses`
    /// lists them last).
    public var isUsableAsLocator: Bool {
        (!isTentative || isOptimistic) && !isDADFailed && scope < UInt8(SYNAPTIC_RT_SCOPE_LINK)
            && !InterfaceAddress.nonLocatorRanges.contains { $0.contains(prefix.address) }
    }

    /// Ranges whose addresses are never locators (see the file comment).
    static let nonLocatorRanges: [IPPrefix] = [
        "fe80::/10", "169.254.0.0/16", "::1/128", "127.0.0.0/8", "2001:20::/28", "1.0.0.0/8",
    ].compactMap { IPPrefix($0) }
}

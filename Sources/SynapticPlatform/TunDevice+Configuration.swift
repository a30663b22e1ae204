// TunDevice+Configuration: MTU, link up, addresses and routes for a TUN, through rtnetlink.
//
// Stages, in this order: (1) MTU and IFF_UP in one RTM_NEWLINK (IPv6 needs an MTU of at least 1280 and
// the link up before its addresses are usable), (2) each address with RTM_NEWADDR, (3) each route with
// RTM_NEWROUTE, its preferred source the first configured address of the route's family.
//
// For synaptic: the HIT as a /128 and the LSI as a /32 (host addresses, no implied prefix route), then
// routes 2001:20::/28 (ORCHIDv2, RFC 7343) and 1.0.0.0/8 (LSIs) through the device with the HIT / LSI as
// preferred source, so traffic to any peer HIT or LSI enters the TUN and leaves from our own identity.

extension TunDevice {
    /// Applies `configuration` through a rtnetlink socket opened for the purpose. Call it from a thread in
    /// the device's network namespace (the one that created it). Needs CAP_NET_ADMIN. Errors name the
    /// netlink request (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE) and carry the kernel's reason; errno EEXIST
    /// when an address or route is already present.
    public func configure(_ configuration: TunConfiguration) throws(SystemError) {
        let netlink = try RouteNetlink()
        defer { netlink.close() }
        try netlink.setLink(index: index, up: true, mtu: configuration.mtu)
        for address in configuration.addresses {
            try netlink.addAddress(address, interfaceIndex: index)
        }
        for route in configuration.routes {
            let source = configuration.addresses.first { $0.address.family == route.address.family }?.address
            try netlink.addRoute(route, interfaceIndex: index, preferredSource: source)
        }
    }
}

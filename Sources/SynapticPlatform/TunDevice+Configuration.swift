// TunDevice+Configuration: MTU, link up, addresses and routes for a TUN, through rtnetlink.
//
// Stages, in this order: (1) MTU and IFF_UP in one RTM_NEWLINK (IPv6 needs an MTU of at least 1280 and
// the link up before its addresses are usable), (2) each address with RTM_NEWADDR, (3) each route with
// RTM_NEWROUTE, its preferred source the first configured address of the route's family, (4) wait until the
// kernel has installed the local route of every address: IPv6 adds it asynchronously after the link comes up
// (addrconf work, even with IFA_F_NODAD), and until then packets written to the TUN for that address are
// dropped.
//
// For synaptic: the HIT as a /128 and the LSI as a /32 (host addresses, no implied prefix route), then
// routes 2001:20::/28 (ORCHIDv2, RFC 7343) and 1.0.0.0/8 (LSIs) through the device with the HIT / LSI as
// preferred source, so traffic to any peer HIT or LSI enters the TUN and leaves from our own identity.

import CSynapticShims
import Glibc

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
        try waitForLocalRoutes(of: configuration.addresses, netlink: netlink)
    }

    /// Polls the routing tables until each address has its RTN_LOCAL route, for at most
    /// `PlatformLimits.localRouteWait`; then fails with a SystemError naming the missing address.
    private func waitForLocalRoutes(of addresses: [IPPrefix], netlink: RouteNetlink) throws(SystemError) {
        var waited = Duration.zero
        while true {
            var missing: [InetAddress] = []
            for family in Set(addresses.map(\.address.family)) {
                let locals = Set(try netlink.routes(family: family)
                    .filter { $0.type == UInt8(SYNAPTIC_RTN_LOCAL) }.map(\.destination.address))
                missing += addresses.map(\.address).filter { $0.family == family && !locals.contains($0) }
            }
            if missing.isEmpty { return }
            guard waited < PlatformLimits.localRouteWait else {
                throw .malformed("RTM_GETROUTE", "no local route for \(missing.map(\.description)) after \(waited)")
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&pause, nil)
            waited += .milliseconds(2)
        }
    }
}

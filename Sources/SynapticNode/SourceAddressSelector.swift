// SourceAddressSelector: the local IPv4 address the kernel will send from, for HIP over raw IPv4.
//
// Why: an IPv4 raw socket leaves the HIP checksum to us, and it covers a pseudo-header with the source
// address (RFC 7401 §5.1.1). Replies carry the address the request came to; a new I1 has none, so the
// route to the destination is looked up as the kernel would: longest matching prefix in the local and
// main tables → its preferred source, else the first global address of its interface.
// (IPv6 raw sockets let the kernel fill the checksum, so they need no selection.)
import SynapticPlatform

/// Looks up routes and addresses through rtnetlink on every call (HIP control packets are rare). Use from
/// the control thread (it must run in the node's network namespace).
enum SourceAddressSelector {
    /// Routing tables consulted: local (255: our own addresses) and main (254).
    private static let tables: Set<UInt32> = [254, 255]
    /// RTN_LOCAL: a route to one of our own addresses.
    private static let localRouteType: UInt8 = 2

    /// The IPv4 source for packets to `destination`, or nil if there is no route.
    static func source(toward destination: IPv4Address) -> IPv4Address? {
        guard let netlink = try? RouteNetlink() else { return nil }
        defer { netlink.close() }
        guard let routes = try? netlink.routes(family: .v4) else { return nil }
        let best = routes.filter { tables.contains($0.table) && $0.destination.contains(.v4(destination)) }
            .max { $0.destination.length < $1.destination.length }
        guard let route = best else { return nil }
        if route.type == localRouteType { return destination }
        if case .v4(let source) = route.preferredSource { return source }
        guard let index = route.interfaceIndex, let addresses = try? netlink.addresses(family: .v4) else { return nil }
        for address in addresses where address.interfaceIndex == index && address.scope == 0 {
            if case .v4(let source) = address.prefix.address { return source }
        }
        return nil
    }
}

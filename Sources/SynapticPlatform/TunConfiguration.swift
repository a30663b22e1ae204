// TunConfiguration: what TunDevice.configure applies (see TunDevice+Configuration for the stages).

/// What to configure on a TUN: MTU, addresses, routes. Sendable value.
public struct TunConfiguration: Hashable, Sendable {
    public var mtu: Int
    /// Interface addresses, e.g. the HIT /128 and the LSI /32.
    public var addresses: [IPPrefix]
    /// Prefixes routed into the device, e.g. 2001:20::/28 and 1.0.0.0/8.
    public var routes: [IPPrefix]

    public init(mtu: Int, addresses: [IPPrefix], routes: [IPPrefix]) {
        self.mtu = mtu
        self.addresses = addresses
        self.routes = routes
    }
}

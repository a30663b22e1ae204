// InetAddress: an IPv4 or IPv6 address.

import Glibc

/// An IPv4 or an IPv6 address, without a port: a local address from IP_PKTINFO, a route's preferred
/// source, an interface address. Sendable, no allocation.
public enum InetAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// IPv4 dotted-quad or IPv6 text; nil for anything else.
    public init?(_ text: String) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The address family: `AF_INET` or `AF_INET6`.
    public var family: AddressFamily {
        switch self {
        case .v4: .v4
        case .v6: .v6
        }
    }

    /// 4 or 16 bytes in network order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let address): address.bytes
        case .v6(let address): address.bytes
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }
}

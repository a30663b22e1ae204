// AddressFamily: IPv4 or IPv6.

import Glibc

/// IPv4 or IPv6: picks the socket family, the netlink family, the header layout.
public enum AddressFamily: Hashable, Sendable {
    case v4
    case v6

    /// AF_INET or AF_INET6.
    public var rawValue: Int32 {
        switch self {
        case .v4: AF_INET
        case .v6: AF_INET6
        }
    }

    /// 32 or 128.
    public var addressBits: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// inet_ntop text of the `in_addr`/`in6_addr` at `address`.
    func presentation(of address: UnsafeRawPointer) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            guard inet_ntop(rawValue, address, text.baseAddress!, socklen_t(text.count)) != nil else { return "?" }
            return String(cString: text.baseAddress!)
        }
    }
}

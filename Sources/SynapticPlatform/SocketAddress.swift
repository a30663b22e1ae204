// SocketAddress: an IP address and a port, convertible to and from sockaddr without allocation.

import Glibc

/// An IPv4 or IPv6 address with a port (and, for IPv6, a scope ID for link-local addresses).
/// Datagram sources and destinations. A plain value: Sendable, no allocation to convert to or from a
/// `sockaddr`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: InetAddress
    public var port: UInt16
    /// The IPv6 scope (interface index) of a link-local address; 0 otherwise and always for IPv4.
    public var scopeID: UInt32

    public init(_ address: InetAddress, port: UInt16, scopeID: UInt32 = 0) {
        self.address = address
        self.port = port
        self.scopeID = scopeID
    }

    public var family: AddressFamily { address.family }

    /// "198.18.0.1:10500" or "[fd00::1]:10500".
    public var description: String {
        switch address {
        case .v4(let v4): "\(v4):\(port)"
        case .v6(let v6): "[\(v6)]:\(port)"
        }
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6` of `length` bytes at `pointer`.
    /// Nil for another family or a length too short for the family.
    public init?(sockaddr pointer: UnsafeRawPointer, length: Int) {
        guard length >= MemoryLayout<sa_family_t>.size else { return nil }
        let family = Int32(pointer.loadUnaligned(as: sa_family_t.self))
        switch family {
        case AF_INET:
            guard length >= MemoryLayout<sockaddr_in>.size else { return nil }
            let sin = pointer.loadUnaligned(as: sockaddr_in.self)
            self.init(.v4(IPv4Address(inAddr: sin.sin_addr)), port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            guard length >= MemoryLayout<sockaddr_in6>.size else { return nil }
            let sin6 = pointer.loadUnaligned(as: sockaddr_in6.self)
            self.init(.v6(IPv6Address(in6Addr: sin6.sin6_addr)), port: UInt16(bigEndian: sin6.sin6_port),
                      scopeID: sin6.sin6_scope_id)
        default:
            return nil
        }
    }

    /// Writes the address as a `sockaddr_in` or `sockaddr_in6` at `pointer`, which must have room for a
    /// `sockaddr_storage`, and returns the length to pass to the kernel.
    @discardableResult
    public func write(sockaddr pointer: UnsafeMutableRawPointer) -> socklen_t {
        switch address {
        case .v4(let v4):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr = v4.inAddr
            pointer.storeBytes(of: sin, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6(let v6):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            sin6.sin6_addr = v6.in6Addr
            sin6.sin6_scope_id = scopeID
            pointer.storeBytes(of: sin6, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    /// Calls `body` with this address as a `sockaddr` and its length (for bind, connect, sendto).
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var storage = sockaddr_storage()
        return withUnsafeMutableBytes(of: &storage) { raw in
            let length = write(sockaddr: raw.baseAddress!)
            return body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}

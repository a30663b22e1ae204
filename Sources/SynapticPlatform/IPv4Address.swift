// IPv4Address: a 32-bit IPv4 address as a value.

import Glibc

/// An IPv4 address. `value` is in host order (0xC6120001 is 198.18.0.1), the same convention as HIPWire's
/// `IPAddress.v4`. A plain value: Sendable, no allocation.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) {
        self.value = value
    }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Dotted-quad text ("198.18.0.1"); nil for anything else.
    public init?(_ text: String) {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        self.init(inAddr: address)
    }

    /// The four bytes in network order.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }

    public var description: String {
        var address = inAddr
        return AddressFamily.v4.presentation(of: &address)
    }

    init(inAddr: in_addr) {
        value = UInt32(bigEndian: inAddr.s_addr)
    }

    var inAddr: in_addr { in_addr(s_addr: value.bigEndian) }
}

// IPv6Address: a 128-bit IPv6 address as a value.

import Glibc

/// An IPv6 address held as two 64-bit halves of its big-endian value (`high` holds bytes 0...7).
/// A plain value: Sendable, Hashable, no allocation to copy or compare.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Exactly 16 bytes in network order; nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.init(high: high, low: low)
    }

    /// IPv6 text ("fd00::1", "2001:20::5"); nil for anything else.
    public init?(_ text: String) {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        self.init(in6Addr: address)
    }

    /// The sixteen bytes in network order.
    public var bytes: [UInt8] {
        (0..<16).map { index in
            let half = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: half >> (56 - 8 * UInt64(index % 8)))
        }
    }

    /// Canonical text (RFC 5952, as inet_ntop writes it).
    public var description: String {
        var address = in6Addr
        return AddressFamily.v6.presentation(of: &address)
    }

    /// Reads 16 bytes in network order from `pointer` (no alignment needed).
    init(networkBytes pointer: UnsafeRawPointer) {
        high = UInt64(bigEndian: pointer.loadUnaligned(as: UInt64.self))
        low = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Writes the 16 bytes in network order to `pointer` (no alignment needed).
    func write(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: high.bigEndian, as: UInt64.self)
        pointer.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    init(in6Addr: in6_addr) {
        var copy = in6Addr
        self = withUnsafeBytes(of: &copy) { IPv6Address(networkBytes: $0.baseAddress!) }
    }

    var in6Addr: in6_addr {
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { write(to: $0.baseAddress!) }
        return address
    }
}

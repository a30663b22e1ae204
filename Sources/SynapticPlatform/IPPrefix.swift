// IPPrefix: an address with a prefix length, for interface addresses and routes.

/// An address and a prefix length ("2001:20::/28", "1.0.0.1/32"). The address keeps its host bits (an
/// interface address is a prefix whose address is the host's own). Sendable value.
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public let address: InetAddress
    public let length: Int

    /// Nil unless `length` is within 0...32 (IPv4) or 0...128 (IPv6).
    public init?(_ address: InetAddress, length: Int) {
        guard (0...address.family.addressBits).contains(length) else { return nil }
        self.address = address
        self.length = length
    }

    /// "address/length"; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = InetAddress(String(parts[0])),
              (1...3).contains(parts[1].count),
              parts[1].allSatisfy({ $0.isASCII && $0.isWholeNumber }), let length = Int(parts[1]) else { return nil }
        self.init(address, length: length)
    }

    /// The full-length prefix of a single host: /32 or /128.
    public init(host address: InetAddress) {
        self.address = address
        self.length = address.family.addressBits
    }

    /// Whether `address` lies in this prefix: the same family, and its first `length` bits are the prefix's.
    public func contains(_ address: InetAddress) -> Bool {
        // Smart shifts: shifting by the full width or more gives 0, so length 0 masks nothing in.
        switch (self.address, address) {
        case (.v4(let network), .v4(let other)):
            let mask = ~UInt32(0) << (32 - length)
            return network.value & mask == other.value & mask
        case (.v6(let network), .v6(let other)):
            let high = ~UInt64(0) << (64 - min(length, 64))
            let low = ~UInt64(0) << (128 - max(length, 64))
            return network.high & high == other.high & high && network.low & low == other.low & low
        default:
            return false
        }
    }

    public var description: String { "\(address)/\(length)" }
}

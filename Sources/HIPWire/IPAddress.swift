// IPAddress: a locator address (the outer IPv4 or IPv6 address of a HIP host).
// Wire forms: IPv4 = 4 bytes; IPv6 = 16 bytes; in HIP parameters (LOCATOR_SET, FROM, VIA_RVS, REG_FROM,
// RELAY_*, PEER_PERMISSION) IPv4 is carried IPv4-mapped, ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).

/// An IPv4 or IPv6 address. A value type; use it anywhere.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// IPv4, the host-order value: 0xC0000201 is 192.0.2.1.
    case v4(UInt32)
    /// IPv6, 16 bytes in network order.
    case v6([UInt8])

    /// An address from dotted IPv4 or IPv6 text; nil otherwise.
    public init?(_ text: String) {
        if let v4 = AddressText.parseIPv4(text[...]) {
            self = .v4(v4)
        } else if let v6 = AddressText.parseIPv6(text[...]) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// An address from 4 bytes (IPv4) or 16 bytes (IPv6, kept as IPv6 even when IPv4-mapped).
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: self = .v4(bytes.reduce(0) { $0 << 8 | UInt32($1) })
        case 16: self = .v6(Array(bytes))
        default: return nil
        }
    }

    /// The address as found in a 16-byte HIP parameter field: ::ffff:a.b.c.d becomes `.v4`,
    /// anything else `.v6`. Nil unless exactly 16 bytes.
    public init?(mappedBytes bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let array = Array(bytes)
        if array[0..<10].allSatisfy({ $0 == 0 }), array[10] == 0xFF, array[11] == 0xFF {
            self.init(bytes: array[12..<16])
        } else {
            self = .v6(array)
        }
    }

    /// 4 bytes for IPv4, 16 for IPv6 (an IPv6 value of another length yields its bytes unchanged).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value): return [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        case .v6(let bytes): return bytes
        }
    }

    /// 16 bytes: the IPv6 address, or ::ffff:a.b.c.d for IPv4 (the form HIP parameters carry).
    /// Whether this is an IPv4 address (IPv4-mapped IPv6 addresses are IPv6 here).
    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    public var v4Mapped: [UInt8] {
        switch self {
        case .v4: return Array(repeating: 0, count: 10) + [0xFF, 0xFF] + bytes
        case .v6(let bytes): return bytes
        }
    }

    /// Dotted quad or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let value): return AddressText.formatIPv4(value)
        case .v6(let bytes):
            return bytes.count == 16 ? AddressText.formatIPv6(bytes) : "invalid IPv6 (\(bytes.count) bytes)"
        }
    }
}

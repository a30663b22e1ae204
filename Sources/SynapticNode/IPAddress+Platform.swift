// Conversions between the protocol's addresses (HIPWire.IPAddress, HIT, HIPCore.Endpoint) and the
// platform's (InetAddress, SocketAddress, IPPrefix).
import HIPCore
import HIPWire
import SynapticPlatform

extension IPAddress {
    /// The same address as a platform address. `.v6` values of another length than 16 are invalid (nil).
    var inetAddress: InetAddress? {
        switch self {
        case .v4(let value): .v4(IPv4Address(value))
        case .v6(let bytes): IPv6Address(bytes: bytes).map { .v6($0) }
        }
    }

    init(_ address: InetAddress) {
        switch address {
        case .v4(let v4): self = .v4(v4.value)
        case .v6(let v6): self = .v6(v6.bytes)
        }
    }

    /// The platform's address family.
    var family: AddressFamily {
        if case .v4 = self { return .v4 }
        return .v6
    }

    /// "IPv4" or "IPv6" (Wireshark's names).
    var familyName: String {
        if case .v4 = self { return "IPv4" }
        return "IPv6"
    }
}

extension Endpoint {
    /// The UDP socket address of an endpoint over UDP; nil over raw IP or for an invalid address.
    var udpSocketAddress: SocketAddress? {
        guard case .udp(let port) = transport, let address = address.inetAddress else { return nil }
        return SocketAddress(address, port: port)
    }
}

extension NodeConfiguration.Locator {
    var socketAddress: SocketAddress? {
        address.inetAddress.map { SocketAddress($0, port: port) }
    }
}

extension HIT {
    /// Whether the HIT lies in the ORCHIDv2 prefix 2001:20::/28 (RFC 7343).
    var isORCHID: Bool {
        let bytes = self.bytes
        return bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x00 && bytes[3] & 0xF0 == 0x20
    }

    /// The HIT as an IPv6 platform address.
    var inetAddress: InetAddress { .v6(ipv6Address) }

    /// The HIT as an IPv6 address value.
    var ipv6Address: IPv6Address {
        let bytes = self.bytes
        return IPv6Address(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                           low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }
}

// Addresses: text, bytes and sockaddr conversions, checked against inet_pton/inet_ntop built sockaddrs.

import Glibc
@testable import SynapticPlatform
import Testing

@Suite struct AddressTests {
    @Test func ipv4TextAndValue() throws {
        let address = try #require(IPv4Address("198.18.0.1"))
        #expect(address.value == 0xC612_0001)
        #expect(address.bytes == [198, 18, 0, 1])
        #expect(address.description == "198.18.0.1")
        #expect(IPv4Address(198, 18, 0, 1) == address)
        #expect(IPv4Address("198.18.0") == nil)
        #expect(IPv4Address("fd00::1") == nil)
    }

    @Test func ipv6TextAndBytes() throws {
        let address = try #require(IPv6Address("2001:20::5"))
        #expect(address.high == 0x2001_0020_0000_0000)
        #expect(address.low == 5)
        #expect(address.bytes == [0x20, 0x01, 0x00, 0x20] + [UInt8](repeating: 0, count: 11) + [5])
        #expect(IPv6Address(bytes: address.bytes) == address)
        #expect(IPv6Address(bytes: [1, 2, 3]) == nil)
        #expect(IPv6Address("2001:0020:0:0:0:0:0:5")?.description == "2001:20::5")
        #expect(IPv6Address("1.2.3.4") == nil)
    }

    @Test func prefixParsing() throws {
        let prefix = try #require(IPPrefix("2001:20::/28"))
        #expect(prefix.length == 28)
        #expect(prefix.address == .v6(IPv6Address(high: 0x2001_0020_0000_0000, low: 0)))
        #expect(IPPrefix("1.0.0.0/8")?.description == "1.0.0.0/8")
        #expect(IPPrefix("1.0.0.0/33") == nil)
        #expect(IPPrefix("fd00::/129") == nil)
        #expect(IPPrefix("fd00::") == nil)
        #expect(IPPrefix("fd00::/+1") == nil)
        #expect(IPPrefix(host: .v4(IPv4Address(1, 0, 0, 1))).length == 32)
    }

    @Test func prefixContains() throws {
        let cases: [(prefix: String, address: String, inside: Bool)] = [
            ("198.18.0.0/15", "198.19.255.255", true), ("198.18.0.0/15", "198.20.0.0", false),
            ("0.0.0.0/0", "203.0.113.9", true), ("1.0.0.1/32", "1.0.0.1", true), ("1.0.0.1/32", "1.0.0.2", false),
            ("2001:20::/28", "2001:2f:ffff::1", true), ("2001:20::/28", "2001:30::1", false),
            ("fe80::/10", "febf::1", true), ("fe80::/10", "fec0::1", false),
            ("fd00::/64", "fd00::ffff:ffff:ffff:ffff", true), ("fd00::/64", "fd00:0:0:1::", false),
            ("fd00::1/65", "fd00::7fff:0:0:0", true), ("fd00::/65", "fd00::8000:0:0:0", false),
            ("::/0", "2001:db8::1", true), ("::1/128", "::1", true), ("::1/128", "::2", false),
            ("0.0.0.0/0", "::1", false), ("::/0", "1.0.0.1", false),
        ]
        for (prefix, address, inside) in cases {
            let contains = try #require(IPPrefix(prefix)).contains(try #require(InetAddress(address)))
            #expect(contains == inside, "\(prefix) contains \(address)")
        }
    }

    @Test func sockaddrInMatchesLibc() throws {
        var expected = sockaddr_in()
        expected.sin_family = sa_family_t(AF_INET)
        expected.sin_port = UInt16(10500).bigEndian
        #expect(inet_pton(AF_INET, "198.18.0.2", &expected.sin_addr) == 1)

        let address = SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500)
        var storage = sockaddr_storage()
        let length = withUnsafeMutableBytes(of: &storage) { address.write(sockaddr: $0.baseAddress!) }
        #expect(Int(length) == MemoryLayout<sockaddr_in>.size)
        let written = withUnsafeBytes(of: &storage) { Array($0.prefix(Int(length))) }
        #expect(written == withUnsafeBytes(of: &expected) { Array($0) })
        let back = withUnsafeBytes(of: &expected) { SocketAddress(sockaddr: $0.baseAddress!, length: $0.count) }
        #expect(back == address)
        #expect(address.description == "198.18.0.2:10500")
    }

    @Test func sockaddrIn6MatchesLibc() throws {
        var expected = sockaddr_in6()
        expected.sin6_family = sa_family_t(AF_INET6)
        expected.sin6_port = UInt16(443).bigEndian
        expected.sin6_scope_id = 3
        #expect(inet_pton(AF_INET6, "fd00::2", &expected.sin6_addr) == 1)

        let address = SocketAddress(.v6(try #require(IPv6Address("fd00::2"))), port: 443, scopeID: 3)
        var storage = sockaddr_storage()
        let length = withUnsafeMutableBytes(of: &storage) { address.write(sockaddr: $0.baseAddress!) }
        #expect(Int(length) == MemoryLayout<sockaddr_in6>.size)
        #expect(withUnsafeBytes(of: &storage) { Array($0.prefix(Int(length))) } == withUnsafeBytes(of: &expected) { Array($0) })
        let back = withUnsafeBytes(of: &expected) { SocketAddress(sockaddr: $0.baseAddress!, length: $0.count) }
        #expect(back == address)
        #expect(address.description == "[fd00::2]:443")
    }

    @Test func sockaddrRejectsShortOrForeign() {
        var storage = sockaddr_in6()
        storage.sin6_family = sa_family_t(AF_INET6)
        let short = withUnsafeBytes(of: &storage) { SocketAddress(sockaddr: $0.baseAddress!, length: 20) }
        #expect(short == nil)
        storage.sin6_family = sa_family_t(AF_UNIX)
        let foreign = withUnsafeBytes(of: &storage) { SocketAddress(sockaddr: $0.baseAddress!, length: $0.count) }
        #expect(foreign == nil)
        let empty = withUnsafeBytes(of: &storage) { SocketAddress(sockaddr: $0.baseAddress!, length: 0) }
        #expect(empty == nil)
    }

    @Test func ipv4HeaderParsing() throws {
        let packet = TestPackets.ipv4(source: IPv4Address(198, 18, 0, 1), destination: IPv4Address(198, 18, 0, 2),
                                      proto: 139, payload: [1, 2, 3, 4])
        let header = try #require(packet.withUnsafeBytes { IPv4Header(parsing: $0) })
        #expect(header.headerLength == 20)
        #expect(header.totalLength == 24)
        #expect(header.protocol == 139)
        #expect(header.source == IPv4Address(198, 18, 0, 1))
        #expect(header.destination == IPv4Address(198, 18, 0, 2))

        var withOptions = packet
        withOptions[0] = 0x46  // IHL 6 claims 24 header bytes: fits the 24-byte buffer
        #expect(withOptions.withUnsafeBytes { IPv4Header(parsing: $0) }?.headerLength == 24)
        withOptions[0] = 0x47  // 28 header bytes do not fit
        #expect(withOptions.withUnsafeBytes { IPv4Header(parsing: $0) } == nil)
        var wrongVersion = packet
        wrongVersion[0] = 0x65
        #expect(wrongVersion.withUnsafeBytes { IPv4Header(parsing: $0) } == nil)
        var shortIHL = packet
        shortIHL[0] = 0x44
        #expect(shortIHL.withUnsafeBytes { IPv4Header(parsing: $0) } == nil)
        #expect(Array(packet.prefix(19)).withUnsafeBytes { IPv4Header(parsing: $0) } == nil)
    }
}

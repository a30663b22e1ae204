// HIT and IPAddress: text forms (RFC 4291 input, RFC 5952 output), bytes, order.

import HIPWire
import Testing

@Suite struct AddressTests {
    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"), ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("2001:21:ffac:c16a:21b9:393c:b3bc:14de", "2001:21:ffac:c16a:21b9:393c:b3bc:14de"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("0:0:1:0:0:0:0:0", "0:0:1::"),
    ])
    func ipv6TextRoundTrip(_ input: String, _ canonical: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
        #expect(HIT(input)?.description == canonical)
    }

    @Test(arguments: ["", ":", ":::", "1:::2", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                      "::1.2.3", "1.2.3.256", "01.2.3.4", "1.2.3.4.5", " 1.2.3.4", "::ffff:1.2.3.4:1", "1:2:3:4:5:6:7::8:9"])
    func invalidText(_ input: String) {
        #expect(IPAddress(input) == nil)
        #expect(HIT(input) == nil)
    }

    @Test func ipv4() throws {
        let address = try #require(IPAddress("192.0.2.1"))
        #expect(address == .v4(0xC000_0201))
        #expect(address.bytes == [192, 0, 2, 1])
        #expect(address.v4Mapped == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1])
        #expect(address.description == "192.0.2.1")
        #expect(IPAddress(mappedBytes: address.v4Mapped) == address)
        #expect(IPAddress(bytes: [10, 201, 0, 1]) == IPAddress("10.201.0.1"))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func hitBytesAndOrder() throws {
        let low = try #require(HIT("2001:21:aa79:5f7a:cbe2:a133:9362:6f4e"))
        let high = try #require(HIT("2001:21:ffac:c16a:21b9:393c:b3bc:14de"))
        #expect(low < high)
        #expect(HIT.null < low)
        #expect(low.bytes == [0x20, 0x01, 0x00, 0x21, 0xAA, 0x79, 0x5F, 0x7A, 0xCB, 0xE2, 0xA1, 0x33, 0x93, 0x62, 0x6F, 0x4E])
        #expect(HIT(bytes: low.bytes) == low)
        #expect(HIT(bytes: [1, 2]) == nil)
        #expect(HIT.null.description == "::")
        // Order is by the low 64 bits when the high 64 bits tie.
        let a = try #require(HIT("2001:20::1")), b = try #require(HIT("2001:20::1:0"))
        #expect(a < b && !(b < a))
    }
}

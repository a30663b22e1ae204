// The rtnetlink codec: known-answer bytes written out by hand from the kernel ABI (linux/netlink.h,
// if_addr.h, rtnetlink.h, host byte order = little-endian here), round trips, hostile input, status replies.

@testable import SynapticPlatform
import Testing

@Suite struct NetlinkCodecTests {
    @Test func newAddressKnownAnswer() throws {
        let address = InterfaceAddress(prefix: try #require(IPPrefix("198.18.0.1/24")), interfaceIndex: 7)
        var message = address.newAddressMessage()
        message.sequence = 0x0102_0304
        let expected: [UInt8] = [
            0x30, 0, 0, 0, 20, 0, 0x05, 0x06, 0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0,  // nlmsghdr: 48 B, RTM_NEWADDR, REQ|ACK|EXCL|CREATE
            2, 24, 0, 0, 7, 0, 0, 0,                                               // ifaddrmsg: AF_INET /24 index 7
            8, 0, 2, 0, 198, 18, 0, 1,                                             // IFA_LOCAL
            8, 0, 1, 0, 198, 18, 0, 1,                                             // IFA_ADDRESS
            8, 0, 8, 0, 0, 0, 0, 0,                                                // IFA_FLAGS 0
        ]
        #expect(message.encoded() == expected)
    }

    @Test func newRouteKnownAnswer() throws {
        let route = IPRoute(destination: try #require(IPPrefix("2001:20::/28")), interfaceIndex: 5,
                            preferredSource: InetAddress("2001:20::1"))
        let hit: [UInt8] = [0x20, 0x01, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let prefix: [UInt8] = [0x20, 0x01, 0, 0x20] + [UInt8](repeating: 0, count: 12)
        let expected: [UInt8] = [84, 0, 0, 0, 24, 0, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0]  // RTM_NEWROUTE
            + [10, 28, 0, 0, 254, 4, 253, 1, 0, 0, 0, 0]   // rtmsg: AF_INET6 /28, main, static, link, unicast
            + [8, 0, 15, 0, 254, 0, 0, 0]                  // RTA_TABLE 254
            + [20, 0, 1, 0] + prefix                       // RTA_DST
            + [8, 0, 4, 0, 5, 0, 0, 0]                     // RTA_OIF 5
            + [20, 0, 7, 0] + hit                          // RTA_PREFSRC
        #expect(route.newRouteMessage().encoded() == expected)
    }

    @Test func linkChangeKnownAnswer() {
        let bytes = LinkInfo.changeMessage(index: 3, up: true, mtu: 1400).encoded()
        let expected: [UInt8] = [40, 0, 0, 0, 16, 0, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // RTM_NEWLINK, REQ|ACK
            + [0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]                          // index 3, IFF_UP/IFF_UP
            + [8, 0, 4, 0, 0x78, 0x05, 0, 0]                                             // IFLA_MTU 1400
        #expect(bytes == expected)
        let mtuOnly = LinkInfo.changeMessage(index: 3, up: nil, mtu: 1280).encoded()
        #expect(Array(mtuOnly[24..<32]) == [0, 0, 0, 0, 0, 0, 0, 0])  // flags and change mask untouched
    }

    @Test func addressRoundTrip() throws {
        for text in ["198.18.0.1/24", "fd00::1/64", "2001:20::1/128"] {
            let original = InterfaceAddress(prefix: try #require(IPPrefix(text)), interfaceIndex: 42,
                                            flags: 0x202, scope: 0)
            let bytes = original.newAddressMessage().encoded()
            let parsed = try bytes.withUnsafeBytes { try NetlinkMessage.parseAll($0, call: "test") }
            #expect(parsed.count == 1)
            #expect(try InterfaceAddress(message: try #require(parsed.first)) == original)
        }
    }

    @Test func routeRoundTrip() throws {
        let original = IPRoute(destination: try #require(IPPrefix("1.0.0.0/8")), interfaceIndex: 9,
                               preferredSource: InetAddress("1.0.0.1"))
        let bytes = original.newRouteMessage().encoded()
        let parsed = try bytes.withUnsafeBytes { try NetlinkMessage.parseAll($0, call: "test") }
        #expect(try IPRoute(message: try #require(parsed.first)) == original)
    }

    @Test func severalMessagesInOneDatagram() throws {
        let first = LinkInfo.getMessage(index: 0, name: "hip0")   // 5-byte name: padded
        let second = LinkInfo.changeMessage(index: 1, up: false, mtu: nil)
        let bytes = first.encoded() + second.encoded()
        let parsed = try bytes.withUnsafeBytes { try NetlinkMessage.parseAll($0, call: "test") }
        #expect(parsed == [first, second])
        let attributes = try parsed[0].attributes(after: LinkInfo.fixedLength, call: "test")
        #expect(attributes == [NetlinkAttribute(type: 3, string: "hip0")])
        #expect(attributes.first?.string == "hip0")
    }

    @Test func hostileMessagesGiveTypedErrors() {
        let valid = LinkInfo.getMessage(index: 1, name: nil).encoded()
        var tooLong = valid
        tooLong[0] = UInt8(valid.count + 4)
        var tooShort = valid
        tooShort[0] = 8
        for bytes in [tooLong, tooShort, valid + [1, 2, 3, 4, 5]] {
            #expect { try bytes.withUnsafeBytes { try NetlinkMessage.parseAll($0, call: "test") } } throws: { error in
                (error as? SystemError)?.isMalformedReply == true
            }
        }
        // A truncated buffer shorter than a header parses as nothing but the trailing bytes are reported.
        #expect(throws: SystemError.self) { try [UInt8](valid.prefix(10)).withUnsafeBytes { try NetlinkMessage.parseAll($0, call: "t") } }
    }

    @Test func hostileAttributesGiveTypedErrors() {
        let cases: [[UInt8]] = [
            [3, 0, 1, 0],                 // length below the header
            [12, 0, 1, 0, 1, 2, 3, 4],    // length beyond the bytes
            [8, 0, 1, 0, 1, 2, 3, 4, 9],  // trailing byte
        ]
        for bytes in cases {
            #expect { try NetlinkAttribute.parseAll(bytes[...], call: "test") } throws: { error in
                (error as? SystemError)?.isMalformedReply == true
            }
        }
        #expect(NetlinkAttribute(type: 1, value: [1, 2, 3]).uint32 == nil)
        #expect(NetlinkAttribute(type: 1, value: [1, 2, 3]).address(.v4) == nil)
        #expect(NetlinkAttribute(type: 1, value: [0xFF, 0xFE]).string == nil)
    }

    @Test func errorReplyWithExtendedAck() throws {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS: error -17, the request header, NLMSGERR_ATTR_MSG "exists".
        let request = LinkInfo.getMessage(index: 1, name: nil).encoded()
        var payload: [UInt8] = [0xEF, 0xFF, 0xFF, 0xFF] + request.prefix(16)
        payload += [11, 0, 1, 0] + Array("exists".utf8) + [0]
        let reply = NetlinkMessage(type: 2, flags: 0x300, payload: payload)
        #expect { try reply.checkStatus(call: "RTM_NEWADDR") } throws: { error in
            let error = error as? SystemError
            return error?.errno == 17 && error?.detail == "exists" && error?.call == "RTM_NEWADDR"
        }
        let ack = NetlinkMessage(type: 2, flags: 0x100, payload: [0, 0, 0, 0] + request.prefix(16))
        try ack.checkStatus(call: "ack")
        let failedDump = NetlinkMessage(type: 3, flags: 2, payload: [0xEA, 0xFF, 0xFF, 0xFF])
        #expect { try failedDump.checkStatus(call: "dump") } throws: { ($0 as? SystemError)?.errno == 22 }
        let truncated = NetlinkMessage(type: 2, flags: 0, payload: [1, 2])
        #expect { try truncated.checkStatus(call: "x") } throws: { ($0 as? SystemError)?.isMalformedReply == true }
    }

    @Test func malformedFamilyBodies() {
        let noAddress = NetlinkMessage(type: 20, flags: 0, payload: [2, 24, 0, 0, 1, 0, 0, 0])
        #expect(throws: SystemError.self) { try InterfaceAddress(message: noAddress) }
        let badFamily = NetlinkMessage(type: 20, flags: 0, payload: [99, 24, 0, 0, 1, 0, 0, 0, 8, 0, 2, 0, 1, 2, 3, 4])
        #expect(throws: SystemError.self) { try InterfaceAddress(message: badFamily) }
        let badLength = NetlinkMessage(type: 20, flags: 0, payload: [2, 40, 0, 0, 1, 0, 0, 0, 8, 0, 2, 0, 1, 2, 3, 4])
        #expect(throws: SystemError.self) { try InterfaceAddress(message: badLength) }
        let shortRoute = NetlinkMessage(type: 24, flags: 0, payload: [2, 8, 0])
        #expect(throws: SystemError.self) { try IPRoute(message: shortRoute) }
        let namelessLink = NetlinkMessage(type: 16, flags: 0, payload: [UInt8](repeating: 0, count: 16))
        #expect(throws: SystemError.self) { try LinkInfo(message: namelessLink) }
    }
}

// The keylog: Wireshark esp_sa records (field order, algorithm names, key hex) and the file's permissions.
import Foundation
import Glibc
@testable import HIPCore
import HIPCrypto
import HIPWire
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct KeyLogTests {
    static let local = HIT("2001:22::1")!
    static let peer = HIT("2001:22::2")!

    static func pair(suite: ESPSuiteID, local address: IPAddress?) -> SecurityAssociationPair {
        func keys(_ first: UInt8) -> ESPKeys {
            ESPKeys(encryption: SecretBytes((0..<UInt8(suite.encryptionKeyLength)).map { first &+ $0 }),
                    authentication: SecretBytes((0..<UInt8(suite.authenticationKeyLength)).map { 0xA0 &+ first &+ $0 }))
        }
        return SecurityAssociationPair(localHIT: local, peerHIT: peer, inboundSPI: 0x0000_0101, outboundSPI: 0xDEAD_BEEF,
                                       suite: suite, inboundKeys: keys(0x10), outboundKeys: keys(0x40),
                                       peerEndpoint: Endpoint(address: IPAddress("198.18.0.2")!, transport: .udp(port: 10500)),
                                       localAddress: address)
    }

    @Test func gcmRecordsOnePerDirection() {
        let lines = KeyLog.lines(Self.pair(suite: .aesGCM16, local: IPAddress("198.18.0.1")), peerAddress: IPAddress("198.18.0.2")!)
        #expect(lines == [
            "\"IPv4\",\"198.18.0.1\",\"198.18.0.2\",\"0xdeadbeef\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                + "\"0x404142434445464748494a4b4c4d4e4f50515253\",\"NULL\",\"\"\n",
            "\"IPv4\",\"198.18.0.2\",\"198.18.0.1\",\"0x00000101\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                + "\"0x101112131415161718191a1b1c1d1e1f20212223\",\"NULL\",\"\"\n",
        ])
    }

    @Test func cbcRecordsCarryTheHMACKeyAndWildcardUnknownAddresses() {
        let lines = KeyLog.lines(Self.pair(suite: .aes128CBCSHA256, local: nil), peerAddress: IPAddress("fd00::2")!)
        let fields = lines[0].dropLast().split(separator: ",").map { $0.dropFirst().dropLast() }
        #expect(fields.count == 8)
        #expect(fields[0] == "IPv6" && fields[1] == "*" && fields[2] == "fd00::2" && fields[3] == "0xdeadbeef")
        #expect(fields[4] == "AES-CBC [RFC3602]" && fields[5] == "0x404142434445464748494a4b4c4d4e4f")
        #expect(fields[6] == "HMAC-SHA-256-128 [RFC4868]")
        #expect(fields[7] == "0x" + (0..<32).map { String(format: "%02x", 0xE0 + $0) }.joined())
        #expect(lines[1].hasPrefix("\"IPv6\",\"fd00::2\",\"*\",\"0x00000101\""))
        #expect(KeyLog.algorithmNames(.nullSHA256) == ("NULL", "HMAC-SHA-256-128 [RFC4868]"))
        #expect(KeyLog.algorithmNames(.aes256CBCSHA256).encryption == "AES-CBC [RFC3602]")
    }

    @Test func fileIsCreatedPrivateAndAppended() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keylog-\(UUID().uuidString)").path
        defer { unlink(path) }
        do {
            let log = try KeyLog(path: path)
            log.record(Self.pair(suite: .aesGCM16, local: nil), destination: SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500))
        }
        do {
            let log = try KeyLog(path: path)
            log.record(Self.pair(suite: .aesGCM16, local: nil), destination: SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500))
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.split(separator: "\n").count == 4)
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("\"IPv4\",") })
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        chmod(path, 0o644)
        #expect(throws: NodeError.self) { try KeyLog(path: path) }
    }
}

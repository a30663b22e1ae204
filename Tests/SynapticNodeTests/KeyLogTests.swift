// The keylog: Wireshark esp_sa records (field order, algorithm names, key hex), the "# HIP" line with the
// KEYMAT inputs (its keys recomputed from a real exchange match the records) and the file's permissions.
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
                                       localAddress: address,
                                       keymatInputs: KeymatInputs(dhGroup: .nistP256, kij: SecretBytes([0x00, 0x0F, 0xF0, 0xFF]),
                                                                  puzzleI: [1, 2], puzzleJ: [0xAB], hash: .sha256,
                                                                  hipCipher: .aes128CBC))
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

    @Test func associationLineIsAUATCommentWithTheKeymatInputs() {
        #expect(KeyLog.associationLine(Self.pair(suite: .aesGCM16, local: nil))
                == "# HIP local_hit=2001:22::1 peer_hit=2001:22::2 dh_group=7 rhash=sha256 hip_cipher=2 esp_suite=13 "
                + "puzzle_i=0102 puzzle_j=ab kij=000ff0ff\n")
    }

    /// The fields of a "# HIP" line, read the way an offline verifier would.
    static func fields(_ line: Substring) throws -> [String: String] {
        try #require(line.hasPrefix("# HIP "))
        return Dictionary(uniqueKeysWithValues: line.dropFirst(6).split(separator: " ").map {
            let parts = $0.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count == 2 ? String(parts[1]) : "")
        })
    }

    static func bytes(hex text: String) throws -> [UInt8] {
        let digits = Array(text.utf8)
        try #require(digits.count % 2 == 0)
        return try stride(from: 0, to: digits.count, by: 2).map {
            try #require(UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16))
        }
    }

    /// A real exchange in memory, both sides logging: each "# HIP" line gives KEYMAT again, and the ESP keys
    /// drawn from it are the keys of that side's esp_sa records (and of the SAs the other side installed).
    @Test func keymatRecomputedFromTheLoggedLineGivesTheRecordedESPKeys() throws {
        let (identityA, identityB) = (try HostIdentity.generate(.ecdsaP256), try HostIdentity.generate(.ecdsaP256))
        let directory = FileManager.default.temporaryDirectory.path
        let paths = ["a", "b"].map { "\(directory)/keylog-\($0)-\(UUID().uuidString)" }
        defer { paths.forEach { unlink($0) } }
        let a = try Side(identity: identityA, address: ActionExecutorTests.addressA,
                         peers: [.init(hit: identityB.hit, name: "b", locators: [.init(address: ActionExecutorTests.addressB)])],
                         policy: AllowedPeers([identityB.hit]), keyLog: try KeyLog(path: paths[0]))
        let b = try Side(identity: identityB, address: ActionExecutorTests.addressB, peers: [],
                         policy: AllowedPeers([identityA.hit]), keyLog: try KeyLog(path: paths[1]))
        a.handle(.outboundData(peer: identityB.hit, endpoints: a.executor.directory.endpoints(for: identityB.hit)), now: .zero)
        ActionExecutorTests.exchange(a, b, now: .zero)
        let installB = try #require(b.dataPlane.installs.first)

        var logged: [[String: String]] = []
        for (path, (local, peer)) in zip(paths, [(identityA.hit, identityB.hit), (identityB.hit, identityA.hit)]) {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            try #require(lines.count == 3)
            let fields = try Self.fields(lines[0])
            logged.append(fields)
            #expect(fields["local_hit"] == local.description && fields["peer_hit"] == peer.description)
            // P-256 ECDH; RHASH of the ECDSA HIT suite (RFC 7401 §5.2.10) is SHA-384.
            #expect(fields["dh_group"] == "7" && fields["rhash"] == "sha384" && fields["esp_suite"] == "13")
            #expect(fields["puzzle_i"]?.count == 96 && fields["puzzle_j"]?.count == 96)
            let hash: HashAlgorithm = try #require(["sha1": .sha1, "sha256": .sha256, "sha384": .sha384][fields["rhash"] ?? ""])
            let cipher = try #require(HIPCipherID(rawValue: UInt16(fields["hip_cipher"] ?? "") ?? 0))
            let suite = try #require(ESPSuiteID(rawValue: UInt16(fields["esp_suite"] ?? "") ?? 0))
            var keymat = Keymat(hash: hash, kij: SecretBytes(try Self.bytes(hex: fields["kij"] ?? "")),
                                puzzleI: try Self.bytes(hex: fields["puzzle_i"] ?? ""),
                                puzzleJ: try Self.bytes(hex: fields["puzzle_j"] ?? ""), hitA: local, hitB: peer)
            let keys = try HIPKeys(keymat: &keymat, cipher: cipher, hash: hash, esp: suite)
            // Record 1 is what this side sends: SA-gl when its HIT is the greater one.
            let (sent, received) = local > peer ? (keys.espGL, keys.espLG) : (keys.espLG, keys.espGL)
            for (record, esp) in zip(lines[1...], [sent, received]) {
                let columns = record.split(separator: ",").map { $0.dropFirst().dropLast() }
                let key = "0x" + esp.encryption.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
                #expect(columns.count == 8 && columns[5] == key && columns[7] == "")
            }
            if local == identityB.hit {
                #expect(ActionExecutorTests.bytes(sent.encryption) == ActionExecutorTests.bytes(installB.outbound.keys.encryption))
            }
        }
        // Both sides agreed on Kij and used the same puzzle values.
        #expect(logged[0]["kij"] == logged[1]["kij"] && logged[0]["kij"]?.count == 64)
        #expect(logged[0]["puzzle_i"] == logged[1]["puzzle_i"] && logged[0]["puzzle_j"] == logged[1]["puzzle_j"])
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
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.map { $0.hasPrefix("# HIP ") } == [true, false, false, true, false, false])
        #expect(lines.filter { !$0.hasPrefix("#") }.allSatisfy { $0.hasPrefix("\"IPv4\",") })
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        chmod(path, 0o644)
        #expect(throws: NodeError.self) { try KeyLog(path: path) }
    }

    /// The error a KeyLog at `path` gives, as printed.
    static func refusal(_ path: String) -> String? {
        do {
            _ = try KeyLog(path: path)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func symbolicLinksFIFOsAndDirectoriesAreRefusedByName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keylog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = "\(directory)/target"
        let link = "\(directory)/link"
        let fifo = "\(directory)/fifo"
        #expect(symlink(target, link) == 0)
        #expect(mkfifo(fifo, 0o600) == 0)

        // The link is not followed: nothing is created at its target.
        #expect(Self.refusal(link) == "\(link): cannot open keylog: it is a symbolic link")
        #expect(!FileManager.default.fileExists(atPath: target))
        // A FIFO nobody reads neither blocks the start nor is accepted.
        #expect(Self.refusal(fifo)?.hasPrefix("\(fifo): cannot open keylog: ") == true)
        #expect(Self.refusal(directory)?.hasPrefix("\(directory): cannot open keylog: ") == true)
        #expect(Self.refusal("\(directory)/new") == nil)
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to make a file owned by another user"))
    func fileOfAnotherUserIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keylog-\(UUID().uuidString)").path
        defer { unlink(path) }
        _ = try KeyLog(path: path)
        #expect(chown(path, 65534, 65534) == 0)
        #expect(Self.refusal(path) == "\(path): refusing keylog: owned by uid 65534, not by this process's effective uid 0")
        #expect(chown(path, 0, 0) == 0)
        #expect(Self.refusal(path) == nil)
    }
}

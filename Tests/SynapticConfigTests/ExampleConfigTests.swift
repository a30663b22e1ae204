// The commented example parses to the documented defaults, and an empty file gives the same defaults.
import Testing
@testable import SynapticConfig

@Suite struct ExampleConfigTests {
    static let examplePath = String(#filePath.dropLast("Tests/SynapticConfigTests/ExampleConfigTests.swift".count))
        + "Configs/synaptic.example.toml"

    @Test func exampleParsesToDocumentedValues() throws {
        let config = try Config.load(path: Self.examplePath)

        #expect(config.identity.keyPath == "/var/lib/synaptic/host.key")
        #expect(config.identity.algorithm == .ecdsaP256)
        #expect(config.tun.name == "hip0")
        #expect(config.tun.mtu == 1500 - 40 - 8 - 8 - 16 - 15 - 2 - 16 - 3)  // 1395 rounded down to 8
        #expect(config.tun.offload)
        #expect(config.transport.udpPort == 10500)
        #expect(config.transport.rawHIP)
        #expect(config.transport.listen.isEmpty)
        #expect(config.policy.allow == .configured)
        #expect(!config.policy.allowAuthenticationOnlyESP)
        #expect(config.crypto.dhGroups == [7, 8, 4, 11, 3])
        #expect(config.crypto.hipCiphers == [4, 2])
        #expect(!config.crypto.allowNullCipher)
        #expect(config.crypto.espSuites == [13, 8, 9])
        #expect(config.crypto.puzzleDifficulty == 4)
        #expect(config.crypto.puzzleDifficultyCeiling == 16)
        #expect(config.logLevel == .info)
        #expect(config.statusSocket == "/run/synaptic/hip0.sock")   // commented out: the TUN's own socket
        #expect(config.metricsListen == nil)
        #expect(config.keylogPath == nil)
        #expect(config.timers.retransmitInitial == .seconds(1))
        #expect(config.timers.retransmitMaximum == .seconds(8))
        #expect(config.timers.retransmitRetries == 4)
        #expect(config.timers.unusedAssociationLifetime == .seconds(900))
        #expect(config.dataPlaneWorkers == nil)
        #expect(config.rekey.afterBytes == 1 << 40)
        #expect(config.rekey.afterSeconds == .seconds(3600))
        #expect(config.rekey.afterPackets == nil)
        #expect(config.rekey.diffieHellman)
        #expect(!config.server.rendezvous && !config.server.relay)
        #expect(config.server.allow == .configured)
        #expect(config.servers.isEmpty)   // the [[servers]] entry is commented out
        #expect(config.nat.keepaliveSeconds == .seconds(15))

        #expect(config.peers.count == 2)
        let db = try #require(config.peers.first)
        #expect(db.hit.bytes == [0x20, 0x01, 0x00, 0x21, 0x6a, 0x3b, 0x4c, 0x1d,
                                 0x9e, 0x2f, 0x1a, 0x0b, 0x7c, 0x8d, 0x5e, 0x6f])
        #expect(db.name == "db")
        #expect(db.lsi?.bytes == [1, 0, 0, 20])
        let fd002: [UInt8] = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        #expect(db.locators.map(\.address.bytes) == [[198, 18, 0, 2], fd002, fd002])
        #expect(db.locators.map(\.port) == [10500, 10500, 10500])
        #expect(db.locators.map(\.description) == ["198.18.0.2:10500", "[fd00::2]:10500", "[fd00::2]:10500"])
        #expect(config.peers[1].hit.description == "2001:22:1f2e:3d4c:5b6a:7988:a7b6:c5d4")
        #expect(config.peers[1].name == nil && config.peers[1].lsi == nil)
        #expect(config.peers[1].locators.map(\.description) == ["198.18.1.2:10600"])
        #expect(config.peers.allSatisfy { $0.via == nil })
    }

    /// The commented-out [[servers]] entry and `via`, uncommented, are a valid configuration.
    @Test func commentedServerExampleParses() throws {
        let example = try ConfigFile.read(Self.examplePath)
        let keys = ["[[servers]]", "name = ", "hit = ", "locators = ", "services = ", "via = "]
        var uncommented = 0
        let text = example.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("# "), keys.contains(where: { line.dropFirst(2).hasPrefix($0) }) else { return line }
            uncommented += 1
            return line.dropFirst(2)
        }.joined(separator: "\n")
        #expect(uncommented == keys.count)
        let config = try Config.parse(text, file: "example")
        let hub = try #require(config.servers.first)
        #expect(config.servers.count == 1)
        #expect(hub.name == "hub")
        #expect(hub.hit.description == "2001:23:8a9b:acbd:ced0:e1f2:3041:5263")
        #expect(hub.locators.map(\.description) == ["198.18.9.1:10500", "[fd00::9]:10500"])
        #expect(hub.services == [.rendezvous, .relay])
        #expect(config.peers[0].via == "hub")
        #expect(config.allowedPeers?.contains(hub.hit) == true)
    }

    /// One status socket per TUN by default (as wg-quick has one per interface); a set one wins.
    @Test func statusSocketDefaultsToOnePerTUN() throws {
        #expect(try Config.parse("[tun]\nname = \"hipa\"\n").statusSocket == "/run/synaptic/hipa.sock")
        #expect(try Config.parse("[tun]\nname = \"hipb\"\n").statusSocket == "/run/synaptic/hipb.sock")
        let set = try Config.parse("[tun]\nname = \"hipa\"\n[status]\nsocket = \"s.sock\"\n", baseDirectory: "/etc/synaptic")
        #expect(set.statusSocket == "/etc/synaptic/s.sock")
    }

    @Test func emptyFileHasTheExampleDefaults() throws {
        let example = try Config.load(path: Self.examplePath)
        let empty = try Config.parse("")
        #expect(empty.identity == example.identity)
        #expect(empty.tun == example.tun)
        #expect(empty.dataPlaneWorkers == example.dataPlaneWorkers)
        #expect(empty.transport == example.transport)
        #expect(empty.policy == example.policy)
        #expect(empty.crypto == example.crypto)
        #expect(empty.logLevel == example.logLevel)
        #expect(empty.statusSocket == example.statusSocket)
        #expect(empty.metricsListen == example.metricsListen)
        #expect(empty.keylogPath == example.keylogPath)
        #expect(empty.timers == example.timers)
        #expect(empty.rekey == example.rekey)
        #expect(empty.server == example.server)
        #expect(empty.servers == example.servers)
        #expect(empty.nat == example.nat)
        #expect(empty.peers.isEmpty)
        #expect(empty.allowedPeers == [])
    }
}

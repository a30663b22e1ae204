// Accepted forms: addresses, HITs at the prefix edges, opt-in NULL ciphers, policy lists, relative paths.
import Glibc
import Testing
@testable import SynapticConfig

@Suite struct ConfigValueTests {
    @Test func hitPrefixBoundaries() {
        #expect(Config.HIT("2001:20::")?.bytes == [0x20, 0x01, 0x00, 0x20] + Array(repeating: 0, count: 12))
        #expect(Config.HIT("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff") != nil)
        #expect(Config.HIT("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff") == nil)
        #expect(Config.HIT("2001:30::") == nil)
        #expect(Config.HIT("2001:20::1\u{0}junk") == nil)
        #expect(Config.HIT(bytes: [0x20, 0x01, 0x00, 0x2a] + Array(repeating: 7, count: 12))?.description
                == "2001:2a:707:707:707:707:707:707")
        #expect(Config.HIT(bytes: [0x20, 0x01, 0x00, 0x2a]) == nil)
    }

    @Test func addressesKeepTheirBytesAndPrintCanonically() {
        #expect(Config.Address("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(Config.Address("FD00:0:0::0002")?.description == "fd00::2")
        #expect(Config.Address("1.2.3") == nil)
        #expect(Config.Address("[fd00::2]") == nil)
        #expect(Config.Address("fe80::1%eth0") == nil)
        #expect(Config.Address(bytes: [1, 2, 3]) == nil)
    }

    @Test func nullCipherAndAuthenticationOnlySuiteNeedTheirSwitches() throws {
        let config = try Config.parse("""
            [crypto]
            allow_null_cipher = true
            hip_ciphers = [1]
            esp_suites = [7, 13]
            [policy]
            allow_auth_only_esp = true
            """)
        #expect(config.crypto.hipCiphers == [1])
        #expect(config.crypto.espSuites == [7, 13])
        #expect(config.policy.allowAuthenticationOnlyESP)
    }

    @Test func allowedPeersFollowsPolicy() throws {
        let peers = "[[peers]]\nhit = \"2001:20::1\"\n"
        let one = try #require(Config.HIT("2001:20::1")), extra = try #require(Config.HIT("2001:2f::9"))
        #expect(try Config.parse(peers).allowedPeers == [one])
        #expect(try Config.parse(peers + "[policy]\nallow = \"any\"").allowedPeers == nil)
        #expect(try Config.parse(peers + "[policy]\nallow = [\"2001:2f::9\"]").allowedPeers == [one, extra])
        #expect(try Config.parse(peers + "[policy]\nallow = [\"2001:2f::9\"]").policy.allow == .listed([extra]))
    }

    @Test func locatorsWithoutPortTakeTheUDPPort() throws {
        let config = try Config.parse("""
            [transport]
            udp_port = 20000
            listen = ["0.0.0.0", "::"]
            [[peers]]
            hit = "2001:20::1"
            locators = ["198.18.0.2", "[fd00::2]", "198.18.0.3:1"]
            """)
        #expect(config.peers[0].locators.map(\.description) == ["198.18.0.2:20000", "[fd00::2]:20000", "198.18.0.3:1"])
        #expect(config.transport.listen.map(\.description) == ["0.0.0.0", "::"])
    }

    @Test func metricsKeylogAndTimers() throws {
        let config = try Config.parse("""
            [metrics]
            listen = "[::1]:9100"
            [keylog]
            path = "/tmp/keys.log"
            [timers]
            retransmit_initial_ms = 250
            retransmit_retries = 0
            ual_seconds = 0
            """)
        #expect(config.metricsListen?.description == "[::1]:9100")
        #expect(config.keylogPath == "/tmp/keys.log")
        #expect(config.timers.retransmitInitial == .milliseconds(250))
        #expect(config.timers.retransmitMaximum == .seconds(8))
        #expect(config.timers.retransmitRetries == 0)
        #expect(config.timers.unusedAssociationLifetime == nil)
    }

    @Test func relativePathsAreTakenFromTheFilesDirectory() throws {
        let directory = "/tmp/synaptic-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try #require(mkdir(directory, 0o700) == 0)
        let file = directory + "/a.toml"
        defer { unlink(file); rmdir(directory) }
        let text = "[identity]\nkey = \"keys/a.key\"\n[keylog]\npath = \"/abs/k.log\"\n[status]\nsocket = \"s.sock\"\n"
        let stream = try #require(fopen(file, "w"))
        fputs(text, stream)
        fclose(stream)

        let config = try Config.load(path: file)
        #expect(config.identity.keyPath == directory + "/keys/a.key")
        #expect(config.keylogPath == "/abs/k.log")
        #expect(config.statusSocket == directory + "/s.sock")
        #expect(try Config.parse(text).identity.keyPath == "keys/a.key")
    }
}

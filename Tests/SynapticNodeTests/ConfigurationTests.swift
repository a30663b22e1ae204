// The TOML configuration mapped to the node's settings (the types the core and data plane use).
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticConfig
import SynapticDataPlane
import Testing
@testable import SynapticNode

@Suite struct ConfigurationTests {
    @Test func everyKeyReachesTheNode() throws {
        let text = """
            [identity]
            key = "keys/host.key"
            algorithm = "ed25519"
            [tun]
            name = "hip3"
            mtu = 1400
            [dataplane]
            workers = 3
            [transport]
            udp_port = 10600
            raw_hip = false
            listen = ["198.18.0.1"]
            [[peers]]
            hit = "2001:22::2"
            locators = ["198.18.0.2", "[fd00::2]:10700"]
            name = "db"
            lsi = "1.0.0.20"
            [[peers]]
            hit = "2001:21::3"
            [policy]
            allow = ["2001:22::9"]
            allow_auth_only_esp = true
            [crypto]
            dh_groups = [8, 3]
            hip_ciphers = [2]
            esp_suites = [8, 7]
            puzzle_difficulty = 6
            [log]
            level = "debug"
            [status]
            socket = "run/status.sock"
            [metrics]
            listen = "127.0.0.1:9100"
            [keylog]
            path = "/tmp/esp.keylog"
            [timers]
            retransmit_initial_ms = 500
            retransmit_max_ms = 4000
            retransmit_retries = 6
            """
        let configuration = NodeConfiguration(try Config.parse(text, file: "/etc/s.toml", baseDirectory: "/etc"))
        #expect(configuration.identityKeyPath == "/etc/keys/host.key")
        #expect(configuration.identityKind == .ed25519)
        #expect(configuration.tunName == "hip3" && configuration.mtu == 1400)
        #expect(configuration.dataPlaneWorkers == 3)
        #expect(configuration.udpPort == 10600 && !configuration.rawHIP)
        #expect(configuration.listenAddresses == [IPAddress("198.18.0.1")!])
        #expect(configuration.peers == [
            .init(hit: HIT("2001:22::2")!, name: "db",
                  locators: [.init(address: IPAddress("198.18.0.2")!, port: 10600), .init(address: IPAddress("fd00::2")!, port: 10700)],
                  lsi: 0x0100_0014),
            .init(hit: HIT("2001:21::3")!, locators: []),
        ])
        #expect(configuration.effectivePolicy == AllowedPeers([HIT("2001:22::2")!, HIT("2001:21::3")!, HIT("2001:22::9")!]))
        let settings = configuration.hostSettings
        #expect(settings.dhGroups == [.nistP384, .modp1536])
        #expect(settings.hipCiphers == [.aes128CBC])
        #expect(settings.espSuites == [.aes128CBCSHA256, .nullSHA256])
        #expect(settings.allowsAuthenticationOnlyESP && !settings.allowsNullHIPCipher)
        #expect(settings.puzzleDifficulty == 6)
        #expect(settings.puzzleDifficultyCeiling == 16)
        #expect(settings.i1Retransmission == RetransmissionPolicy(initialTimeout: .milliseconds(500),
                                                                  maximumTimeout: .seconds(4), maximumRetries: 6))
        #expect(settings.closeRetransmission == settings.i1Retransmission)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.statusSocketPath == "/etc/run/status.sock")
        #expect(configuration.metricsListen == .init(address: IPAddress("127.0.0.1")!, port: 9100))
        #expect(configuration.keylogPath == "/tmp/esp.keylog")
        #expect(configuration.hostSettings.exportsKeymatInputs)   // the keylog's "# HIP" line needs Kij
    }

    @Test func rekeyKeysReachTheCoreAndTheDataPaths() throws {
        let configuration = NodeConfiguration(try Config.parse("""
            [rekey]
            after_bytes = 4194304
            after_seconds = 60
            after_packets = 2000
            diffie_hellman = false
            """))
        #expect(configuration.rekeyThresholds == RekeyThresholds(afterBytes: 4_194_304, sequenceLimit: 2000))
        #expect(configuration.hostSettings.rekeyInterval == .seconds(60))
        #expect(!configuration.hostSettings.rekeysWithDiffieHellman)
        let defaults = NodeConfiguration(try Config.parse(""))
        #expect(defaults.rekeyThresholds == RekeyThresholds(afterBytes: 1 << 40))
        #expect(defaults.hostSettings.rekeyInterval == .seconds(3600) && defaults.hostSettings.rekeysWithDiffieHellman)
        var changed = defaults
        changed.hostSettings.rekeyInterval = nil
        #expect(defaults.restartOnlyChanges(to: changed) == ["rekey.after_seconds or rekey.diffie_hellman"])
    }

    @Test func defaultsAndAnyPolicy() throws {
        let configuration = NodeConfiguration(try Config.parse("[policy]\nallow = \"any\"\n"))
        #expect(configuration.effectivePolicy == .anyone)
        #expect(configuration.tunName == "hip0" && configuration.mtu == 1392 && configuration.udpPort == 10500)
        #expect(configuration.dataPlaneWorkers == NodeLimits.defaultDataPlaneWorkers)
        #expect((1...4).contains(configuration.dataPlaneWorkers))
        #expect(configuration.rawHIP && configuration.metricsListen == nil && configuration.keylogPath == nil)
        #expect(!configuration.hostSettings.exportsKeymatInputs)
        #expect(configuration.statusSocketPath == "/run/synaptic/hip0.sock")
        #expect(configuration.hostSettings.espSuites == [.aesGCM16, .aes128CBCSHA256, .aes256CBCSHA256])
    }

    /// Each TUN has its own status socket unless one is set: from the file, and for a configuration built
    /// in code (where the kernel's name for a "hip%d" TUN decides it).
    @Test func theStatusSocketFollowsTheTUNUnlessSet() throws {
        let named = NodeConfiguration(try Config.parse("[tun]\nname = \"hipdb\"\n"))
        #expect(named.statusSocketPath == "/run/synaptic/hipdb.sock")
        let set = NodeConfiguration(try Config.parse("[tun]\nname = \"hipdb\"\n[status]\nsocket = \"/tmp/s.sock\"\n"))
        #expect(set.statusSocketPath == "/tmp/s.sock")

        var built = NodeConfiguration(identityKeyPath: "/k")
        #expect(built.statusSocketPath == "/run/synaptic/hip0.sock")
        built.tunName = "hip%d"
        #expect(built.statusSocketPath(interface: "hip3") == "/run/synaptic/hip3.sock")
        built.statusSocketPath = "/tmp/mine.sock"
        #expect(built.statusSocketPath(interface: "hip3") == "/tmp/mine.sock")
        built.statusSocketPath = nil
        #expect(built.statusSocketPath == nil && built.statusSocketPath(interface: "hip3") == nil)
    }

    @Test func serversRegistrarAndKeepaliveReachTheNode() throws {
        let configuration = NodeConfiguration(try Config.parse("""
            [transport]
            udp_port = 10600
            [server]
            relay = true
            allow = ["2001:2f::9"]
            [[servers]]
            name = "hub"
            hit = "2001:2a::1"
            locators = ["198.18.9.1", "[fd00::9]:10700"]
            services = ["rendezvous"]
            [[servers]]
            name = "relay"
            hit = "2001:2a::2"
            locators = ["198.18.9.2"]
            [[peers]]
            hit = "2001:22::2"
            via = "hub"
            [nat]
            keepalive_seconds = 25
            """))
        #expect(configuration.servers == [
            .init(name: "hub", hit: HIT("2001:2a::1")!,
                  locators: [.init(address: IPAddress("198.18.9.1")!, port: 10600), .init(address: IPAddress("fd00::9")!, port: 10700)],
                  services: [.rendezvous]),
            .init(name: "relay", hit: HIT("2001:2a::2")!, locators: [.init(address: IPAddress("198.18.9.2")!, port: 10600)],
                  services: [.rendezvous, .relay]),
        ])
        #expect(configuration.peers == [.init(hit: HIT("2001:22::2")!, locators: [], via: "hub")])
        #expect(configuration.registrar == .init(rendezvous: false, relay: true, allowed: [HIT("2001:2f::9")!]))
        #expect(configuration.natKeepalive == .seconds(25))
        // A client always admits its servers; a server admits those it lets register.
        #expect(configuration.effectivePolicy == AllowedPeers([HIT("2001:22::2")!, HIT("2001:2a::1")!, HIT("2001:2a::2")!,
                                                               HIT("2001:2f::9")!]))

        let anyone = NodeConfiguration(try Config.parse("[server]\nrendezvous = true\nallow = \"any\"\n"))
        #expect(anyone.registrar == .init(rendezvous: true, relay: false, allowed: nil))
        #expect(anyone.effectivePolicy == .anyone)
        let defaults = NodeConfiguration(try Config.parse("[[peers]]\nhit = \"2001:22::2\"\n"))
        #expect(defaults.registrar == nil && defaults.servers.isEmpty && defaults.natKeepalive == .seconds(15))
        #expect(defaults.peers.map(\.via) == [nil])
    }

    /// The core gets our port, the keepalive, the services we offer and those we register for; a peer reached
    /// via a server is reached at the server's locators; servers are known peers.
    @Test func coreSettingsAndKnownPeers() {
        var configuration = NodeConfiguration(identityKeyPath: "/k")
        let hub = NodeConfiguration.Server(name: "hub", hit: HIT("2001:2a::1")!, locators: [.init(address: IPAddress("198.18.9.1")!)],
                                           services: [.relay])
        configuration.servers = [hub]
        configuration.peers = [.init(hit: HIT("2001:22::2")!, locators: [], via: "hub"),
                               .init(hit: HIT("2001:22::3")!, locators: [.init(address: IPAddress("198.18.1.3")!)])]
        configuration.registrar = .init(rendezvous: true, relay: false, allowed: [HIT("2001:22::2")!])
        configuration.natKeepalive = .seconds(20)
        configuration.udpPort = 10600
        let settings = configuration.coreSettings
        #expect(settings.udpPort == 10600 && settings.natKeepaliveInterval == .seconds(20))
        #expect(settings.registrar?.types == [RegistrationType.rendezvous])
        #expect(settings.registrar?.allowed == [HIT("2001:22::2")!])
        #expect(settings.registrations == [hub.hit: [RegistrationType.relayUDPHIP, RegistrationType.relayUDPESP]])
        #expect(configuration.knownPeers.map(\.hit) == [HIT("2001:22::2")!, HIT("2001:22::3")!, hub.hit])
        #expect(configuration.knownPeers[0].locators == hub.locators)
        #expect(configuration.knownPeers[1].locators == [.init(address: IPAddress("198.18.1.3")!)])
        #expect(configuration.knownPeers[2].name == "hub")
    }

    /// Our own HIT as a peer or server, or a peer's LSI equal to ours, is refused at start-up; suite 8 missing
    /// from the ESP suites is a warning.
    @Test func ownHITOrLSIRefusedAndMissingSuite8Warned() throws {
        let own = HIT("2001:22::1")!
        var configuration = NodeConfiguration(identityKeyPath: "/k")
        configuration.peers = [.init(hit: HIT("2001:22::2")!, locators: [])]
        #expect(configuration.problem(ownHIT: own) == nil)
        #expect(configuration.warnings.isEmpty)
        configuration.peers.append(.init(hit: own, locators: []))
        #expect(configuration.problem(ownHIT: own)?.contains("peers[1].hit") == true)
        configuration.peers.removeLast()
        configuration.servers = [.init(name: "hub", hit: own, locators: [])]
        #expect(configuration.problem(ownHIT: own)?.contains("own HIT") == true)
        configuration.servers = []
        configuration.peers[0].lsi = LSI.forHIT(own)
        #expect(configuration.problem(ownHIT: own)?.contains("peers[0].lsi") == true)
        configuration.peers[0].lsi = nil
        configuration.hostSettings.espSuites = [.aesGCM16, .aes256CBCSHA256]
        #expect(configuration.warnings.count == 1 && configuration.warnings[0].contains("suite 8"))
        // A peer HIT whose suite nibble no host uses (2001:2f:…) is named.
        configuration.hostSettings.espSuites = HostSettings().espSuites
        configuration.peers.append(.init(hit: HIT("2001:2f::9")!, locators: []))
        #expect(configuration.warnings == ["peers[1].hit 2001:2f::9 has HIT suite 15, which this host does not accept "
                                           + "(RFC 7401 §5.2.10; accepted: 2, 1, 5): no association can form with it; "
                                           + "a mistyped HIT?"])
    }

    @Test func effectivePolicyAddsServersToEveryPolicy() {
        var configuration = NodeConfiguration(identityKeyPath: "/k")
        configuration.peers = [.init(hit: HIT("2001:22::2")!, locators: [])]
        configuration.servers = [.init(name: "hub", hit: HIT("2001:2a::1")!, locators: [])]
        #expect(configuration.effectivePolicy == AllowedPeers([HIT("2001:22::2")!, HIT("2001:2a::1")!]))
        configuration.allowedPeers = AllowedPeers([HIT("2001:22::9")!])
        #expect(configuration.effectivePolicy == AllowedPeers([HIT("2001:22::9")!, HIT("2001:2a::1")!]))
        configuration.allowedPeers = .anyone
        #expect(configuration.effectivePolicy == .anyone)
    }

    @Test func restartOnlySettingsAreNamed() {
        let old = NodeConfiguration(identityKeyPath: "/k")
        var new = old
        new.peers = [.init(hit: HIT("2001:22::2")!, locators: [])]
        #expect(old.restartOnlyChanges(to: new).isEmpty)
        // Servers, the registrar and the keepalive interval are the core's settings: a restart applies them.
        new.servers = [.init(name: "hub", hit: HIT("2001:2a::1")!, locators: [])]
        new.registrar = .init(rendezvous: true, relay: true, allowed: nil)
        new.natKeepalive = .seconds(60)
        #expect(old.restartOnlyChanges(to: new) == ["servers", "server", "nat.keepalive_seconds"])
        new = old
        new.peers = [.init(hit: HIT("2001:22::2")!, locators: [])]
        new.udpPort = 1
        new.tunName = "hip9"
        new.keylogPath = "/tmp/k"
        // The status socket follows the TUN's name (none is set).
        #expect(old.restartOnlyChanges(to: new) == ["tun", "transport", "status socket", "keylog"])
        // [crypto], the auth-only ESP policy and retransmission timers are read by the HIP host at start.
        new = old
        new.hostSettings.espSuites = [.aes128CBCSHA256]
        new.hostSettings.puzzleDifficulty = 8
        new.hostSettings.allowsAuthenticationOnlyESP = true
        new.hostSettings.i1Retransmission.maximumRetries = 9
        #expect(old.restartOnlyChanges(to: new) == ["crypto", "policy.allow_auth_only_esp", "timers.retransmit_*"])
    }
}

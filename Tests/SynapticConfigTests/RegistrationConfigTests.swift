// [server], [[servers]], [[peers]] via and [nat]: accepted forms, defaults when the tables are absent, and
// how servers and registrants enter the peer policy.
import Testing
@testable import SynapticConfig

@Suite struct RegistrationConfigTests {
    private static let hub = "[[servers]]\nname = \"hub\"\nhit = \"2001:2a::1\"\nlocators = [\"198.18.9.1\"]\n"

    @Test func everyKeyIsParsed() throws {
        let config = try Config.parse("""
            [transport]
            udp_port = 20000
            [server]
            rendezvous = true
            relay = true
            allow = ["2001:2f::9", "2001:2f::8"]
            [[servers]]
            name = "hub"
            hit = "2001:2a::1"
            locators = ["198.18.9.1", "[fd00::9]:10600"]
            services = ["relay"]
            [[servers]]
            name = "rvs.example"
            hit = "2001:2a::2"
            locators = ["fd00::10"]
            services = ["relay", "rendezvous"]
            [[servers]]
            name = "spare"
            hit = "2001:2a::3"
            locators = ["198.18.9.3:1"]
            [[peers]]
            hit = "2001:20::1"
            via = "hub"
            [[peers]]
            hit = "2001:20::2"
            locators = ["198.18.0.2"]
            via = "rvs.example"
            [[peers]]
            hit = "2001:20::3"
            [nat]
            keepalive_seconds = 60
            """)
        #expect(config.server.rendezvous && config.server.relay && config.server.isServing)
        #expect(config.server.allow == .listed([try #require(Config.HIT("2001:2f::9")), try #require(Config.HIT("2001:2f::8"))]))

        #expect(config.servers.map(\.name) == ["hub", "rvs.example", "spare"])
        #expect(config.servers.map(\.hit.description) == ["2001:2a::1", "2001:2a::2", "2001:2a::3"])
        #expect(config.servers[0].locators.map(\.description) == ["198.18.9.1:20000", "[fd00::9]:10600"])
        #expect(config.servers[1].locators.map(\.description) == ["[fd00::10]:20000"])
        #expect(config.servers[2].locators.map(\.description) == ["198.18.9.3:1"])
        #expect(config.servers[0].services == [.relay])
        #expect(config.servers[1].services == [.rendezvous, .relay])
        #expect(config.servers[2].services == [.rendezvous, .relay])   // the default: both

        #expect(config.peers.map(\.via) == ["hub", "rvs.example", nil])
        #expect(config.peers[0].locators.isEmpty)   // reached only through the server
        #expect(config.peers[2].locators.isEmpty)   // neither locators nor via: we only answer it
        #expect(config.nat.keepaliveSeconds == .seconds(60))
    }

    @Test func defaultsWhenTheTablesAreAbsent() throws {
        let config = try Config.parse("[[peers]]\nhit = \"2001:20::1\"\nlocators = [\"198.18.0.2\"]\n")
        #expect(!config.server.rendezvous && !config.server.relay && !config.server.isServing)
        #expect(config.server.allow == .configured)
        #expect(config.servers.isEmpty)
        #expect(config.peers[0].via == nil)
        #expect(config.nat.keepaliveSeconds == .seconds(15))
        #expect(config.registrationAllowed == [try #require(Config.HIT("2001:20::1"))])
        // Empty tables read the same as absent ones.
        let empty = try Config.parse("[server]\n[nat]\n")
        #expect(empty.server == config.server && empty.nat == config.nat && empty.servers.isEmpty)
    }

    @Test func keepaliveBounds() throws {
        #expect(try Config.parse("[nat]\nkeepalive_seconds = 15").nat.keepaliveSeconds == .seconds(15))
        #expect(try Config.parse("[nat]\nkeepalive_seconds = 3600").nat.keepaliveSeconds == .seconds(3600))
        let error = try #require(throws: ConfigError.self) { try Config.parse("[nat]\nkeepalive_seconds = 14", file: "n.toml") }
        #expect(error.description == "n.toml: nat.keepalive_seconds: 14 is out of range 15...3600")
    }

    @Test func allowedPeersAdmitTheServers() throws {
        let peers = "[[peers]]\nhit = \"2001:20::1\"\n" + Self.hub
        let peer = try #require(Config.HIT("2001:20::1")), server = try #require(Config.HIT("2001:2a::1"))
        let extra = try #require(Config.HIT("2001:2f::9"))
        #expect(try Config.parse(peers).allowedPeers == [peer, server])
        #expect(try Config.parse(peers + "[policy]\nallow = \"configured\"").allowedPeers == [peer, server])
        #expect(try Config.parse(peers + "[policy]\nallow = [\"2001:2f::9\"]").allowedPeers == [peer, server, extra])
        #expect(try Config.parse(peers + "[policy]\nallow = \"any\"").allowedPeers == nil)
        #expect(try Config.parse(Self.hub).allowedPeers == [server])   // a client with servers only
    }

    @Test func registrationAllowedFollowsServerAllow() throws {
        let peers = "[[peers]]\nhit = \"2001:20::1\"\n" + Self.hub
        let peer = try #require(Config.HIT("2001:20::1")), extra = try #require(Config.HIT("2001:2f::9"))
        // The servers we register with are not registrants of ours.
        #expect(try Config.parse(peers).registrationAllowed == [peer])
        #expect(try Config.parse(peers + "[server]\nrendezvous = true\nallow = \"configured\"").registrationAllowed == [peer])
        #expect(try Config.parse(peers + "[server]\nrelay = true\nallow = \"any\"").registrationAllowed == nil)
        // A list is exactly the listed HITs; those hosts are admitted to the base exchange whatever [policy]
        // allow says, and "any" admits anyone.
        let listed = try Config.parse(peers + "[server]\nrelay = true\nallow = [\"2001:2f::9\"]")
        #expect(listed.server.allow == .listed([extra]))
        #expect(listed.registrationAllowed == [extra])
        #expect(listed.allowedPeers == [peer, try #require(Config.HIT("2001:2a::1")), extra])
        #expect(try Config.parse(peers + "[server]\nrelay = true\nallow = \"any\"").allowedPeers == nil)
        // Not serving: [server] allow admits nobody.
        #expect(try Config.parse(peers + "[server]\nallow = [\"2001:2f::9\"]").allowedPeers == [peer, try #require(Config.HIT("2001:2a::1"))])
        #expect(try Config.parse("[server]\nrendezvous = true\nallow = []").registrationAllowed == [])
    }
}

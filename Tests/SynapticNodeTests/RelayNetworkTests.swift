// Full nodes through a rendezvous and relay server on the virtual network (no root): hosts a and b behind
// port-restricted NATs (VirtualRouter filtering: as Linux masquerade), the hub outside serving relay. Each
// host knows the other only by HIT `via = "hub"`: traffic starts through the hub (Control and Data Relay),
// then moves to the direct path the NATs allow; where the direct path is blocked it stays relayed.
import Dispatch
import Glibc
import HIPCrypto
import HIPWire
import SynapticPlatform
import SynapticTestSupport
import Testing
@testable import SynapticNode

@Suite struct RelayNetworkTests {
    static let hubAddress = InetAddress("198.18.9.1")!
    static let (insideA, publicA) = (InetAddress("10.1.0.2")!, InetAddress("198.18.10.2")!)
    static let (insideB, publicB) = (InetAddress("10.2.0.2")!, InetAddress("198.18.11.2")!)

    /// Drops what a and b send each other directly (NATs that cannot be punched through).
    static let directBlocked: VirtualRouter.Rule = { datagram, _ in
        let sites: Set<InetAddress> = [publicA, publicB]
        return sites.contains(datagram.source.address) && sites.contains(datagram.destination.address) ? .drop : .deliver
    }

    static func startHub(_ hub: VirtualHost) throws {
        try hub.start(peers: []) {
            $0.registrar = .init(rendezvous: true, relay: true, allowed: nil)
            $0.hostSettings.unusedAssociationLifetime = nil
        }
    }

    /// The hub, a and b running, a and b registered with the hub for relay; stopped afterwards.
    static func withHub(blockDirect: Bool,
                        _ body: (VirtualRouter, TestClock, VirtualHost, VirtualHost, VirtualHost) throws -> Void) throws {
        let router = VirtualRouter(seed: 11)
        let clock = TestClock()
        router.translate(insideA, to: publicA, filtering: true)
        router.translate(insideB, to: publicB, filtering: true)
        if blockDirect { router.setRule(directBlocked) }
        let hub = try VirtualHost("hub", at: hubAddress, on: router, clock: clock)
        let a = try VirtualHost("a", at: insideA, on: router, clock: clock)
        let b = try VirtualHost("b", at: insideB, on: router, clock: clock)
        let hosts = [hub, a, b]
        defer {
            router.setRule { _, _ in .deliver }
            hosts.forEach { $0.beginStop() }
            hosts.forEach { $0.finishStop() }
        }
        try startHub(hub)
        let server = NodeConfiguration.Server(name: "hub", hit: hub.hit,
                                              locators: [.init(address: IPAddress(hubAddress), port: VirtualHost.port)],
                                              services: [.relay])
        for (host, peer) in [(b, a), (a, b)] {
            try host.start(peers: []) {
                $0.servers = [server]
                $0.peers = [.init(hit: peer.hit, name: peer.name, locators: [], via: "hub")]
            }
        }
        let registered = VirtualNetworkTests.eventually {
            (hub.status()?.registrations.count ?? 0) == 2
        }
        try #require(registered, "a and b registered with the hub")
        try body(router, clock, hub, a, b)
    }

    static func path(of host: VirtualHost, to peer: VirtualHost) -> (path: String?, relay: String?) {
        let association = VirtualNetworkTests.association(of: host, with: peer)
        return (association?.path, association?.relay)
    }

    @Test(.timeLimit(.minutes(1)))
    func relayedFirstThenDirectThroughTwoNATs() throws {
        try Self.withHub(blockDirect: false) { router, clock, hub, a, b in
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            // The exchange ran through the hub; the connectivity checks then find the direct path.
            #expect(VirtualNetworkTests.eventually { Self.path(of: a, to: b).path == "direct" && Self.path(of: b, to: a).path == "direct" })
            #expect(VirtualNetworkTests.ping(from: b, to: a, clock: clock, hosts: [hub, a, b]) != nil)
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            #expect(VirtualNetworkTests.association(of: a, with: b)?.locator?.contains("\(Self.publicB)") == true)
            let registration = VirtualNetworkTests.association(of: a, with: hub)?.registration
            #expect(registration?.services == ["relay-hip", "relay-esp"])
            #expect(registration?.address?.contains("\(Self.publicA)") == true)   // REG_FROM: a's NAT address
            #expect((hub.status()?.hipEvents["hip_relayed"] ?? 0) > 0)
            #expect(router.counters.filtered > 0)   // the first checks hit closed NAT bindings
        }
    }

    /// The NATs stop passing the direct path: after 2.5 keepalive intervals of silence traffic goes through
    /// the hub again, and pings get through.
    @Test(.timeLimit(.minutes(1)))
    func deadDirectPathFallsBackToTheHub() throws {
        try Self.withHub(blockDirect: false) { router, clock, hub, a, b in
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            #expect(VirtualNetworkTests.eventually { Self.path(of: a, to: b).path == "direct" && Self.path(of: b, to: a).path == "direct" })
            router.setRule(Self.directBlocked)
            let fellBack = VirtualNetworkTests.eventually(timeout: .seconds(20)) {
                clock.advance(by: .seconds(1))
                [hub, a, b].forEach { $0.wake() }
                return Self.path(of: a, to: b) == ("relayed", "hub") && Self.path(of: b, to: a) == ("relayed", "hub")
            }
            #expect(fellBack)
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            #expect(VirtualNetworkTests.ping(from: b, to: a, clock: clock, hosts: [hub, a, b]) != nil)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func staysRelayedWhenNoDirectPathExists() throws {
        try Self.withHub(blockDirect: true) { router, clock, hub, a, b in
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            #expect(VirtualNetworkTests.ping(from: b, to: a, clock: clock, hosts: [hub, a, b]) != nil)
            // The checks run out (about 12 s of retransmissions): still relayed, still working.
            clock.advance(by: .seconds(30))
            [hub, a, b].forEach { $0.wake() }
            usleep(300_000)
            #expect(Self.path(of: a, to: b) == ("relayed", "hub"))
            #expect(Self.path(of: b, to: a) == ("relayed", "hub"))
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            let relay = try #require(hub.status()?.relay)
            #expect(relay.routes >= 1 && relay.packets > 0)
            #expect(hub.status()?.registrations.allSatisfy { $0.services == ["relay-hip", "relay-esp"] } == true)
        }
    }

    /// The hub crashes and restarts (same identity and address, no state, no CLOSE sent): a and b notice
    /// when their renewal goes unanswered, register again, and the relayed path works again.
    @Test(.timeLimit(.minutes(1)))
    func clientsRegisterAgainAfterTheHubRestarts() throws {
        try Self.withHub(blockDirect: true) { router, clock, hub, a, b in
            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [hub, a, b]) != nil)
            // The hub dies without a word (its CLOSEs are lost), and comes back.
            router.setRule { datagram, random in
                datagram.source.address == Self.hubAddress ? .drop : Self.directBlocked(datagram, &random)
            }
            hub.beginStop()
            hub.finishStop()
            router.setRule(Self.directBlocked)
            let restarted = try VirtualHost("hub", at: Self.hubAddress, on: router, clock: clock, identity: hub.identity)
            defer {
                restarted.beginStop()
                restarted.finishStop()
            }
            try Self.startHub(restarted)
            // Renewals are due after half the lifetime (128 s); they go unanswered (about 20 s of
            // retransmissions), then a and b register again: well before the old registrations would have
            // expired (256 s).
            var advanced = Duration.zero
            let registered = VirtualNetworkTests.eventually(timeout: .seconds(30)) {
                if advanced < .seconds(200) {
                    clock.advance(by: .seconds(1))
                    advanced += .seconds(1)
                }
                [restarted, a, b].forEach { $0.wake() }
                return (restarted.status()?.registrations.count ?? 0) == 2
            }
            #expect(registered, "registered again after \(advanced) of the clock")

            #expect(VirtualNetworkTests.ping(from: a, to: b, clock: clock, hosts: [restarted, a, b], timeout: .seconds(30)) != nil)
        }
    }
}

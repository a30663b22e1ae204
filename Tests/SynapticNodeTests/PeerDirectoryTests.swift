// The peer table: I1 destinations, ESP destinations, LSIs (fixed, derived, collision-free) and reloads.
import HIPCore
import HIPCrypto
import HIPWire
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct PeerDirectoryTests {
    static let own = HIT("2001:22::1:0:0:1")!
    static let db = HIT("2001:22::2:0:0:2")!
    static let web = HIT("2001:22::3:0:0:3")!
    static let v4 = IPAddress("198.18.0.2")!
    static let v6 = IPAddress("fd00::2")!

    static let peers: [NodeConfiguration.Peer] = [
        .init(hit: db, name: "db", locators: [.init(address: v4), .init(address: v6, port: 10600)]),
        .init(hit: web, locators: [], lsi: 0x0100_0014),
    ]

    @Test func i1GoesToEachLocatorOverRawThenUDP() {
        let raw = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [.v4, .v6])
        #expect(raw.endpoints(for: Self.db) == [
            Endpoint(address: Self.v4, transport: .raw), Endpoint(address: Self.v6, transport: .raw),
            Endpoint(address: Self.v4, transport: .udp(port: 10500)), Endpoint(address: Self.v6, transport: .udp(port: 10600)),
        ])
        // Raw HIP over IPv4 only (no raw IPv6 socket): no raw endpoint for the IPv6 locator.
        let raw4 = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [.v4])
        #expect(raw4.endpoints(for: Self.db).filter { $0.transport == .raw } == [Endpoint(address: Self.v4, transport: .raw)])
        let udpOnly = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [])
        #expect(udpOnly.endpoints(for: Self.db).count == 2)
        #expect(udpOnly.endpoints(for: Self.web).isEmpty)
        #expect(udpOnly.endpoints(for: HIT("2001:22::9")!).isEmpty)
    }

    @Test func espFollowsTheExchangeTransport() {
        var directory = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [.v4, .v6])
        #expect(directory.espDestination(for: Self.db, endpoint: Endpoint(address: Self.v6, transport: .udp(port: 4500)))
                == SocketAddress(.v6(IPv6Address("fd00::2")!), port: 4500))
        // Over raw HIP: the configured locator's port, else our own port.
        #expect(directory.espDestination(for: Self.db, endpoint: Endpoint(address: Self.v6, transport: .raw))
                == SocketAddress(.v6(IPv6Address("fd00::2")!), port: 10600))
        #expect(directory.espDestination(for: Self.web, endpoint: Endpoint(address: Self.v4, transport: .raw))
                == SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500))
        // A peer that called us is reached where its exchange ran.
        let stranger = HIT("2001:22::9")!
        directory.remember(Endpoint(address: Self.v4, transport: .udp(port: 30000)), for: stranger)
        #expect(directory.endpoints(for: stranger) == [Endpoint(address: Self.v4, transport: .udp(port: 30000))])
    }

    @Test func lsisAreFixedOrDerivedAndDistinct() {
        var directory = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [])
        #expect(directory.ownLSI == LSI.forHIT(Self.own))
        #expect(directory.assignedLSI(of: Self.web) == 0x0100_0014)
        #expect(directory.assignedLSI(of: Self.db) == LSI.forHIT(Self.db))
        // A HIT whose derived LSI collides with ours gets another one.
        var bytes = Self.own.bytes
        bytes[5] ^= 0xFF
        let twin = HIT(bytes: bytes)!
        #expect(LSI.forHIT(twin) == directory.ownLSI)
        let twinLSI = directory.lsi(for: twin)
        #expect(twinLSI != nil && twinLSI != directory.ownLSI)
        #expect(directory.peerLSIs[0x0100_0014] == Self.web)
        #expect(directory.peerLSIs[LSI.forHIT(Self.db)] == Self.db)
    }

    @Test func reloadReportsChangesAndKeepsLSIs() {
        var directory = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [])
        let lsi = directory.assignedLSI(of: Self.db)
        let newcomer = NodeConfiguration.Peer(hit: HIT("2001:22::4")!, name: "cache", locators: [.init(address: Self.v4)])
        var moved = Self.peers[0]
        moved.locators = [.init(address: Self.v6)]
        let changes = directory.replacePeers([moved, newcomer])
        #expect(changes.added == [newcomer])
        #expect(changes.removed == [Self.peers[1]])
        #expect(changes.changed == [moved])
        #expect(directory.assignedLSI(of: Self.db) == lsi)
        #expect(directory.name(of: newcomer.hit) == "cache")
        #expect(directory.replacePeers([moved, newcomer]).isEmpty)
    }

    @Test func reloadedFixedLSIsAreReservedUnlessAlreadyTaken() {
        var directory = PeerDirectory(ownHIT: Self.own, peers: Self.peers, udpPort: 10500, rawFamilies: [])
        let dbLSI = directory.assignedLSI(of: Self.db)
        // A reload fixes the LSI a stranger would derive: the stranger gets another one.
        let stranger = HIT("2001:22::9")!
        let cache = NodeConfiguration.Peer(hit: HIT("2001:22::4")!, name: "cache", locators: [], lsi: LSI.forHIT(stranger))
        #expect(directory.replacePeers(Self.peers + [cache]).refusedLSIs.isEmpty)
        #expect(directory.assignedLSI(of: cache.hit) == LSI.forHIT(stranger))
        let strangerLSI = directory.lsi(for: stranger)
        #expect(strangerLSI != nil && strangerLSI != LSI.forHIT(stranger))

        // Ours, another peer's fixed one, one handed out: refused, and each peer keeps the LSI it had.
        var db = Self.peers[0]
        db.lsi = directory.ownLSI
        var web = Self.peers[1]
        web.lsi = strangerLSI
        let api = NodeConfiguration.Peer(hit: HIT("2001:22::5")!, name: "api", locators: [], lsi: cache.lsi)
        let changes = directory.replacePeers([db, web, cache, api])
        #expect(changes.refusedLSIs == [
            .init(index: 0, peer: db, lsi: directory.ownLSI, holder: .ourselves),
            .init(index: 1, peer: web, lsi: strangerLSI ?? 0, holder: .peer(stranger)),
            .init(index: 3, peer: api, lsi: LSI.forHIT(stranger), holder: .peer(cache.hit)),
        ])
        #expect(directory.assignedLSI(of: Self.db) == dbLSI)
        #expect(directory.assignedLSI(of: Self.web) == 0x0100_0014)
        #expect(directory.assignedLSI(of: api.hit) == LSI.forHIT(api.hit))
        #expect(directory.peerLSIs.count == 4)   // db, web, cache, api: all distinct

        // A free one is taken, and the peer's derived LSI is freed (the others are still refused).
        db.lsi = 0x0100_0099
        #expect(directory.replacePeers([db, web, cache, api]).refusedLSIs.map(\.peer.hit) == [Self.web, api.hit])
        #expect(directory.assignedLSI(of: Self.db) == 0x0100_0099)
        #expect(directory.peerLSIs[dbLSI ?? 0] == nil)
    }
}

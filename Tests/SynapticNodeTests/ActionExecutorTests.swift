// The executor between HIPHost and the shell: two hosts in memory whose executors send through fake
// sockets to each other and install SAs into fake data planes. Checks what the real threads rely on:
// both sides install matching SA pairs with the right ESP destination and LSIs, the keylog gets both
// directions, failures drop queued packets, send failures are counted, and a Data Relay's routes reach
// the data plane as UDP socket addresses.
import Foundation
import Glibc
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform
import Testing
@testable import SynapticNode

/// Records what the executor sends.
final class FakeTransmitter: HIPTransmitter {
    var sent: [OutboundPacket] = []
    var accepts = true

    func send(_ packet: OutboundPacket) -> Bool {
        sent.append(packet)
        return accepts
    }
}

/// Records what the executor asks of the data plane.
final class FakeDataPlane: SecurityAssociationSink {
    var installs: [(inbound: InboundInstall, outbound: OutboundInstall)] = []
    var removals: [(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32)] = []
    var moves: [(peer: HIT, outboundSPI: UInt32, destination: SocketAddress)] = []
    var inboundInstalls: [InboundInstall] = []
    var outboundInstalls: [OutboundInstall] = []
    var retired: [UInt32] = []
    var publishedThresholds: [RekeyThresholds] = []
    var discarded: [HIT] = []
    var published: [[UInt32: HIT]] = []
    var publishedAddresses: [Set<InetAddress>] = []
    var relays: [(client: HIT, routes: [RelayTable<SocketAddress>.Route])] = []

    func install(inbound: InboundInstall, outbound: OutboundInstall) { installs.append((inbound, outbound)) }
    func install(inbound: InboundInstall) { inboundInstalls.append(inbound) }
    func install(outbound: OutboundInstall) { outboundInstalls.append(outbound) }
    func retire(inboundSPI: UInt32) { retired.append(inboundSPI) }
    func remove(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32) { removals.append((peer, inboundSPI, outboundSPI)) }
    func move(peer: HIT, outboundSPI: UInt32, destination: SocketAddress) { moves.append((peer, outboundSPI, destination)) }
    func discardPending(peer: HIT) { discarded.append(peer) }
    func publish(peerLSIs: [UInt32: HIT]) { published.append(peerLSIs) }
    func publish(peerAddresses: Set<InetAddress>) { publishedAddresses.append(peerAddresses) }
    func publish(thresholds: RekeyThresholds) { publishedThresholds.append(thresholds) }
    func relay(client: HIT, routes: [RelayTable<SocketAddress>.Route]) { relays.append((client, routes)) }
}

/// One host: HIPHost plus its executor with fakes, at an address.
final class Side {
    var host: HIPHost
    let executor: ActionExecutor
    let transmitter = FakeTransmitter()
    let dataPlane = FakeDataPlane()
    let address: IPAddress
    var delivered = 0

    init(identity: HostIdentity, address: IPAddress, peers: [NodeConfiguration.Peer], policy: any PeerPolicy,
         keyLog: KeyLog? = nil, maximumAssociations: Int = HostSettings().maximumAssociations) throws {
        var settings = HostSettings()
        settings.dhGroups = [.nistP256]
        settings.exportsKeymatInputs = keyLog != nil
        settings.maximumAssociations = maximumAssociations
        host = try HIPHost(identity: identity, settings: settings, policy: policy, now: .zero)
        self.address = address
        executor = ActionExecutor(transmitter: transmitter, dataPlane: dataPlane,
                                  directory: PeerDirectory(ownHIT: identity.hit, peers: peers, udpPort: 10500, rawFamilies: []),
                                  keyLog: keyLog, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func handle(_ event: Event, now: Instant) {
        executor.perform(host.handle(event, now: now), now: now)
    }
}

@Suite struct ActionExecutorTests {
    static let addressA = IPAddress("198.18.0.1")!
    static let addressB = IPAddress("198.18.0.2")!

    /// Delivers every packet each side sent to the other (over UDP 10500) until both are quiet.
    static func exchange(_ a: Side, _ b: Side, now: Instant) {
        var progress = true
        while progress {
            progress = false
            for (from, to) in [(a, b), (b, a)] where from.delivered < from.transmitter.sent.count {
                let packet = from.transmitter.sent[from.delivered]
                from.delivered += 1
                progress = true
                guard packet.destination.address == to.address else { continue }
                to.handle(.packet(bytes: packet.bytes, source: Endpoint(address: from.address, transport: .udp(port: 10500)),
                                  destination: to.address), now: now)
            }
        }
    }

    static func bytes(_ secret: SecretBytes) -> [UInt8] { secret.withUnsafeBytes { Array($0) } }

    @Test func baseExchangeInstallsMatchingSAsAndLogsKeys() throws {
        let (identityA, identityB) = (try HostIdentity.generate(.ecdsaP256), try HostIdentity.generate(.ecdsaP256))
        let keyLogPath = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)").path
        defer { unlink(keyLogPath) }
        let a = try Side(identity: identityA, address: Self.addressA,
                         peers: [.init(hit: identityB.hit, name: "b", locators: [.init(address: Self.addressB)])],
                         policy: AllowedPeers([identityB.hit]), keyLog: try KeyLog(path: keyLogPath))
        let b = try Side(identity: identityB, address: Self.addressB, peers: [], policy: AllowedPeers([identityA.hit]))

        let start = Instant(nanoseconds: 1_000_000_000)
        a.handle(.outboundData(peer: identityB.hit, endpoints: a.executor.directory.endpoints(for: identityB.hit)), now: start)
        #expect(a.transmitter.sent.first?.type == .i1)
        #expect(a.transmitter.sent.first?.destination == Endpoint(address: Self.addressB, transport: .udp(port: 10500)))
        #expect(a.executor.wakeAt != nil)
        Self.exchange(a, b, now: start + .milliseconds(5))

        #expect(a.transmitter.sent.map(\.type) == [.i1, .i2])
        #expect(b.transmitter.sent.map(\.type) == [.r1, .r2])
        let installA = try #require(a.dataPlane.installs.first)
        let installB = try #require(b.dataPlane.installs.first)
        #expect(a.dataPlane.installs.count == 1 && b.dataPlane.installs.count == 1)
        // A's outbound SA is B's inbound SA (same SPI and keys), and the other way round.
        #expect(installA.outbound.spi == installB.inbound.spi)
        #expect(installB.outbound.spi == installA.inbound.spi)
        #expect(installA.inbound.spi != installA.outbound.spi)
        #expect(Self.bytes(installA.outbound.keys.encryption) == Self.bytes(installB.inbound.keys.encryption))
        #expect(Self.bytes(installB.outbound.keys.encryption) == Self.bytes(installA.inbound.keys.encryption))
        #expect(installA.outbound.suite == .aesGCM16)
        // ESP goes to where the exchange ran, on the shared port.
        #expect(installA.outbound.destination == SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500))
        #expect(installB.outbound.destination == SocketAddress(.v4(IPv4Address(198, 18, 0, 1)), port: 10500))
        // LSIs: ours and the peer's, the same ones the directory hands the inside path.
        let peerLSIofB = try #require(a.executor.directory.assignedLSI(of: identityB.hit))
        #expect(installA.outbound.endpoints == SAEndpoints(ownHIT: identityA.hit, peerHIT: identityB.hit,
                                                           ownLSI: a.executor.directory.ownLSI, peerLSI: peerLSIofB))
        #expect(installA.inbound.endpoints == installA.outbound.endpoints)
        // B learned A only from the exchange: it now has an LSI and is published to B's inside path.
        let lsiOfA = try #require(b.executor.directory.assignedLSI(of: identityA.hit))
        #expect(b.dataPlane.published.last?[lsiOfA] == identityA.hit)
        #expect(b.executor.directory.endpoints(for: identityA.hit)
                == [Endpoint(address: Self.addressA, transport: .udp(port: 10500))])

        #expect(a.executor.records[identityB.hit]?.role == .initiator)
        #expect(a.executor.records[identityB.hit]?.latency == .milliseconds(5))
        #expect(b.executor.records[identityA.hit]?.role == .responder)
        #expect(b.executor.records[identityA.hit]?.latency == nil)

        let lines = try String(contentsOfFile: keyLogPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("# HIP local_hit=\(identityA.hit) peer_hit=\(identityB.hit) "))
        let keyLog = Array(lines.dropFirst())
        #expect(keyLog[0].hasPrefix("\"IPv4\",\"198.18.0.1\",\"198.18.0.2\",\"\(hex(installA.outbound.spi))\""))
        #expect(keyLog[1].hasPrefix("\"IPv4\",\"198.18.0.2\",\"198.18.0.1\",\"\(hex(installA.inbound.spi))\""))
        let key = Self.bytes(installA.outbound.keys.encryption).map { String(format: "%02x", $0) }.joined()
        #expect(keyLog[0].contains("\"0x\(key)\""))

        // CLOSE from A: both remove their SAs.
        let later = start + .seconds(1)
        a.handle(.close(peer: identityB.hit), now: later)
        Self.exchange(a, b, now: later)
        #expect(a.transmitter.sent.last?.type == .close)
        #expect(b.transmitter.sent.last?.type == .closeAck)
        #expect(b.dataPlane.removals.map(\.inboundSPI) == [installB.inbound.spi])
        #expect(a.dataPlane.removals.map(\.outboundSPI) == [installA.outbound.spi])
    }

    @Test func failedExchangeDropsQueuedPacketsAndSendFailuresAreCounted() throws {
        let (identityA, identityB) = (try HostIdentity.generate(.ecdsaP256), try HostIdentity.generate(.ecdsaP256))
        let a = try Side(identity: identityA, address: Self.addressA,
                         peers: [.init(hit: identityB.hit, locators: [.init(address: Self.addressB)])],
                         policy: AllowedPeers([identityB.hit]))
        a.transmitter.accepts = false
        var now = Instant(nanoseconds: 1)
        a.handle(.outboundData(peer: identityB.hit, endpoints: a.executor.directory.endpoints(for: identityB.hit)), now: now)
        // Nobody answers: the core retransmits at each wake-up, then gives up (E-FAILED).
        for _ in 0..<20 where a.dataPlane.discarded.isEmpty {
            now = try #require(a.executor.wakeAt)
            a.executor.timerServed()
            a.handle(.timer, now: now)
        }
        #expect(a.dataPlane.discarded == [identityB.hit])
        #expect(a.transmitter.sent.count == 5)   // I1 and 4 retransmissions
        #expect(a.transmitter.sent.allSatisfy { $0.type == .i1 })
        #expect(a.executor.sendFailures == 5)
        #expect(a.dataPlane.installs.isEmpty)
    }

    @Test func peerNotAllowedByPolicyGetsNoExchange() throws {
        let (identityA, identityB) = (try HostIdentity.generate(.ecdsaP256), try HostIdentity.generate(.ecdsaP256))
        let a = try Side(identity: identityA, address: Self.addressA,
                         peers: [.init(hit: identityB.hit, locators: [.init(address: Self.addressB)])],
                         policy: AllowedPeers([identityB.hit]))
        let b = try Side(identity: identityB, address: Self.addressB, peers: [], policy: AllowedPeers([]))
        let now = Instant(nanoseconds: 1)
        a.handle(.outboundData(peer: identityB.hit, endpoints: a.executor.directory.endpoints(for: identityB.hit)), now: now)
        Self.exchange(a, b, now: now)
        #expect(b.transmitter.sent.isEmpty)
        #expect(b.host.counters.rejected(.blockedByPolicy) == 1)
        #expect(a.dataPlane.installs.isEmpty && b.dataPlane.installs.isEmpty)

        // Our own policy refusing the peer fails at once and drops what was queued.
        let c = try Side(identity: identityB, address: Self.addressB,
                         peers: [.init(hit: identityA.hit, locators: [.init(address: Self.addressA)])], policy: AllowedPeers([]))
        c.handle(.outboundData(peer: identityA.hit, endpoints: c.executor.directory.endpoints(for: identityA.hit)), now: now)
        #expect(c.transmitter.sent.isEmpty)
        #expect(c.dataPlane.discarded == [identityA.hit])
    }

    @Test func strangersLeaveNothingBehindAndTheirAssociationsAreCapped() throws {
        // A lets anyone in and knows one peer, c; at most 3 associations with peers it does not know.
        let (identityA, identityC) = (try HostIdentity.generate(.ecdsaP256), try HostIdentity.generate(.ecdsaP256))
        let addressC = IPAddress("198.18.0.3")!
        var configuration = NodeConfiguration(identityKeyPath: "unused.key")
        configuration.peers = [.init(hit: identityC.hit, name: "c", locators: [.init(address: addressC)])]
        configuration.allowedPeers = .anyone
        let a = try Side(identity: identityA, address: Self.addressA, peers: configuration.peers,
                         policy: ReloadablePolicy(configuration), maximumAssociations: 3)
        let configuredLSIs = a.executor.directory.peerLSIs
        #expect(configuredLSIs.count == 1)
        let toA: [NodeConfiguration.Peer] = [.init(hit: identityA.hit, locators: [.init(address: Self.addressA)])]
        var now = Instant(nanoseconds: 1_000_000_000)
        func stranger(_ index: Int) throws -> Side {
            let side = try Side(identity: try HostIdentity.generate(.ecdsaP256), address: IPAddress("198.18.1.\(index)")!,
                                peers: toA, policy: AllowedPeers([identityA.hit]))
            side.handle(.outboundData(peer: identityA.hit, endpoints: side.executor.directory.endpoints(for: identityA.hit)),
                        now: now)
            Self.exchange(side, a, now: now)
            return side
        }

        let strangers = try (1...3).map(stranger)
        #expect(strangers.allSatisfy { a.host.association(for: $0.host.localHIT)?.state == .r2Sent })
        #expect(a.executor.records.count == 3 && a.executor.directory.peerLSIs.count == 4)
        // The outside path learns each stranger's address (its unknown SPIs may now be reported).
        let strangerAddresses = Set(strangers.compactMap(\.address.inetAddress))
        #expect(a.dataPlane.publishedAddresses.last == strangerAddresses.union([addressC.inetAddress!]))
        // The fourth is refused (after its puzzle, with RESPONDER_BUSY_PLEASE_RETRY) and counted ...
        let fourth = try stranger(4)
        #expect(a.host.counters.rejected(.associationLimit) == 1)
        #expect(a.host.association(for: fourth.host.localHIT) == nil && fourth.dataPlane.installs.isEmpty)
        #expect(a.transmitter.sent.last?.type == .notify && a.transmitter.sent.last?.destination.address == fourth.address)
        // So is an exchange A would start with a stranger (its queued packets are dropped).
        let unknown = HIT("2001:22::77")!
        a.handle(.outboundData(peer: unknown, endpoints: [Endpoint(address: fourth.address, transport: .udp(port: 10500))]),
                 now: now)
        #expect(a.host.association(for: unknown) == nil && a.dataPlane.discarded == [unknown])
        // ... but a configured peer is not limited.
        let c = try Side(identity: identityC, address: addressC, peers: toA, policy: AllowedPeers([identityA.hit]))
        c.handle(.outboundData(peer: identityA.hit, endpoints: c.executor.directory.endpoints(for: identityA.hit)), now: now)
        Self.exchange(c, a, now: now)
        #expect(a.host.association(for: identityC.hit)?.state == .r2Sent)

        // The strangers close: A forgets their endpoints, LSIs and records; the inside path is told.
        now = now + .seconds(1)
        for side in strangers {
            side.handle(.close(peer: identityA.hit), now: now)
            Self.exchange(side, a, now: now)
            #expect(a.host.association(for: side.host.localHIT)?.state == .closed)
            #expect(a.executor.directory.assignedLSI(of: side.host.localHIT) == nil)
            #expect(a.executor.directory.endpoints(for: side.host.localHIT).isEmpty)
        }
        #expect(Set(a.executor.records.keys) == [identityC.hit])
        #expect(a.executor.directory.peerLSIs == configuredLSIs)
        #expect(a.dataPlane.published.last == configuredLSIs)
        #expect(a.dataPlane.publishedAddresses.last == [addressC.inetAddress!])
        // CLOSED associations still count until they expire; then a newcomer gets in.
        _ = try stranger(5)
        #expect(a.host.counters.rejected(.associationLimit) == 2)
        now = now + a.host.settings.closedLinger
        a.handle(.timer, now: now)
        let sixth = try stranger(6)
        #expect(a.host.association(for: sixth.host.localHIT)?.state == .r2Sent)
        #expect(a.executor.directory.peerLSIs.count == 2)
    }

    @Test func relayRoutesReachTheDataPlaneAsUDPSocketAddresses() throws {
        let identity = try HostIdentity.generate(.ecdsaP256)
        let relay = try Side(identity: identity, address: Self.addressA, peers: [], policy: AllowedPeers([]))
        let client = HIT("2001:2a::c")!
        let clientEndpoint = Endpoint(address: IPAddress("198.18.0.7")!, transport: .udp(port: 40001))
        let peerEndpoint = Endpoint(address: IPAddress("2001:db8::9")!, transport: .udp(port: 10500))
        let routes = [
            RelayRoute(client: clientEndpoint, peer: Endpoint(address: Self.addressB, transport: .udp(port: 10500)),
                       toClientSPI: 0x1001, toPeerSPI: 0x2002),
            // Over raw IP there is nothing to forward ESP in: left out.
            RelayRoute(client: clientEndpoint, peer: Endpoint(address: Self.addressB, transport: .raw),
                       toClientSPI: 0x1003, toPeerSPI: 0x2004),
            RelayRoute(client: clientEndpoint, peer: peerEndpoint, toClientSPI: 0x1005, toPeerSPI: 0x2006),
        ]
        relay.executor.perform([.relayRoutes(client: client, routes: routes)], now: .zero)
        let clientAddress = SocketAddress(InetAddress("198.18.0.7")!, port: 40001)
        #expect(relay.dataPlane.relays.map(\.client) == [client])
        #expect(relay.dataPlane.relays.first?.routes == [
            .init(client: clientAddress, peer: SocketAddress(InetAddress("198.18.0.2")!, port: 10500),
                  toClientSPI: 0x1001, toPeerSPI: 0x2002),
            .init(client: clientAddress, peer: SocketAddress(InetAddress("2001:db8::9")!, port: 10500),
                  toClientSPI: 0x1005, toPeerSPI: 0x2006),
        ])
        // The registration ended: the empty list reaches the data plane too (it removes the routes).
        relay.executor.perform([.relayRoutes(client: client, routes: [])], now: .zero)
        #expect(relay.dataPlane.relays.count == 2 && relay.dataPlane.relays.last?.routes.isEmpty == true)
        #expect(relay.transmitter.sent.isEmpty && relay.dataPlane.installs.isEmpty)
    }
}

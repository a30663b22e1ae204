// The outside path as a Data Relay (RFC 9028 §4.12.3), on its thread over in-memory doubles (no root): a
// MemoryTun and MemoryTransports for IPv4 and IPv6 on a VirtualRouter, with a client, its peers and a
// stranger bound next to it. ESP that a route matches by SPI and UDP source (address and port) leaves
// unchanged towards the route's other end, also across address families; the right SPI from another
// source, or another SPI from the right source, is not forwarded; once the client's routes are replaced
// with none nothing is; ESP for one of the relay's own inbound SAs is opened even where a route names its
// SPI; a destination of a family without a socket is counted as a failed send.
import Glibc
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct RelayPathTests {
    static let relay4 = SocketAddress(InetAddress("198.18.0.1")!, port: 10500)
    static let relay6 = SocketAddress(InetAddress("fd00::1")!, port: 10500)
    static let client = SocketAddress(InetAddress("198.18.0.2")!, port: 40002)
    static let peer = SocketAddress(InetAddress("198.18.0.3")!, port: 10500)
    static let peer6 = SocketAddress(InetAddress("fd00::3")!, port: 10500)
    /// The peer's address with another port, and another host.
    static let peerOtherPort = SocketAddress(InetAddress("198.18.0.3")!, port: 10501)
    static let stranger = SocketAddress(InetAddress("198.18.0.4")!, port: 10500)
    static let clientHIT = HIT("2001:2a::c")!
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A relay's outside path on `router` (IPv4 and, unless `ipv6` is false, IPv6 transports), running on
    /// its thread; stopped and closed afterwards, on every path.
    static func withRelay(on router: VirtualRouter, ipv6: Bool = true,
                          _ body: (OutsidePath<MemoryTun, MemoryTransport>, MemoryTun) throws -> Void) throws {
        let tun = MemoryTun()
        let udp4 = MemoryTransport(at: relay4, on: router)
        let udp6 = ipv6 ? MemoryTransport(at: relay6, on: router) : nil
        defer {
            tun.close()
            udp4.close()
            udp6?.close()
        }
        let outside = try OutsidePath(tun: tun, udp4: udp4, udp6: udp6, database: SADatabase(), flows: LSIFlowTable(),
                                      policy: nil, mtu: 1400, offload: true, thresholds: RekeyThresholds(), logger: logger,
                                      control: Inbox<ControlMessage>(poller: try EventPoller()))
        let thread = WorkerThread(name: "relay-test") { outside.run() }
        defer {
            outside.inbox.post(.stop)
            thread.join()
        }
        try body(outside, tun)
    }

    /// Posts `messages`, then waits until the path has handled `datagrams` datagrams in all (and the
    /// messages); its snapshot.
    static func settle(_ outside: OutsidePath<MemoryTun, MemoryTransport>, datagrams: UInt64,
                       _ messages: OutsideMessage...) throws -> OutsideSnapshot {
        for message in messages { outside.inbox.post(message) }
        var snapshot: OutsideSnapshot
        var attempts = 0
        repeat {
            if attempts > 0 { usleep(5_000) }
            attempts += 1
            let reply = Reply<OutsideSnapshot>()
            outside.inbox.post(.snapshot(reply))
            snapshot = try #require(reply.wait(timeout: .seconds(5)))
        } while snapshot.counters.datagrams < datagrams && attempts < 400
        #expect(snapshot.counters.datagrams == datagrams)
        return snapshot
    }

    /// An ESP-looking datagram: `spi`, a sequence number and 100 bytes the relay cannot read.
    static func esp(_ spi: UInt32, sequence: UInt8 = 1) -> [UInt8] {
        withUnsafeBytes(of: spi.bigEndian) { Array($0) } + [0, 0, 0, sequence] + (0..<100).map { UInt8($0) ^ sequence }
    }

    /// Sends `bytes` from `transport` to `destination`.
    static func send(_ bytes: [UInt8], from transport: MemoryTransport, to destination: SocketAddress) throws {
        let memory = PacketBatch(capacity: 1)
        let batch = DatagramBatch(capacity: 1)
        batch.append(copying: bytes, into: memory, to: destination)
        #expect(try transport.send(batch, from: 0).sent == 1)
    }

    /// What waits at `transport` (payloads and sources), without waiting: the path's snapshot comes after
    /// its sends, and the router delivers as they are made.
    static func received(at transport: MemoryTransport) throws -> [(bytes: [UInt8], source: SocketAddress)] {
        let memory = PacketBatch(capacity: 16)
        let batch = DatagramBatch(capacity: 16)
        batch.receive(into: memory)
        return try (0..<transport.receive(into: batch)).map { (Array(batch.packet(at: $0)), batch.peer(at: $0)!) }
    }

    @Test(.timeLimit(.minutes(1)))
    func routedESPLeavesUnchangedTowardsTheOtherEndAndNothingElseDoes() throws {
        let router = VirtualRouter()
        let (client, peer, peer6) = (MemoryTransport(at: Self.client, on: router), MemoryTransport(at: Self.peer, on: router),
                                     MemoryTransport(at: Self.peer6, on: router))
        let (peerOtherPort, stranger) = (MemoryTransport(at: Self.peerOtherPort, on: router),
                                         MemoryTransport(at: Self.stranger, on: router))
        let everyone = [client, peer, peer6, peerOtherPort, stranger]
        defer { everyone.forEach { $0.close() } }
        let own: UInt32 = 0x3003
        let routes: [RelayTable<SocketAddress>.Route] = [
            .init(client: Self.client, peer: Self.peer, toClientSPI: 0x1001, toPeerSPI: 0x2002),
            .init(client: Self.client, peer: Self.peer6, toClientSPI: 0x1003, toPeerSPI: 0x2004),
            // Names the SPI of the relay's own inbound SA: that SA wins.
            .init(client: Self.client, peer: Self.peer, toClientSPI: own, toPeerSPI: 0x2006),
        ]
        try Self.withRelay(on: router) { outside, tun in
            let installed = try Self.settle(outside, datagrams: 0, .relay(client: Self.clientHIT, routes: routes))
            #expect(installed.relayRoutes == 3 && installed.relayClients == 1)

            // Peer → client and client → peer, over IPv4 and across families (the IPv6 peer's ESP reaches
            // the IPv4 client from the relay's IPv4 socket, and back from its IPv6 one): unchanged, from
            // the relay's port.
            let (toClient, toPeer, toClient6, toPeer6) = (Self.esp(0x1001), Self.esp(0x2002), Self.esp(0x1003), Self.esp(0x2004))
            try Self.send(toClient, from: peer, to: Self.relay4)
            try Self.send(toPeer, from: client, to: Self.relay4)
            try Self.send(toClient6, from: peer6, to: Self.relay6)
            try Self.send(toPeer6, from: client, to: Self.relay4)
            var snapshot = try Self.settle(outside, datagrams: 4)
            let atClient = try Self.received(at: client)
            #expect(atClient.map(\.bytes) == [toClient, toClient6])
            #expect(atClient.map(\.source) == [Self.relay4, Self.relay4])
            let (atPeer, atPeer6) = (try Self.received(at: peer), try Self.received(at: peer6))
            #expect(atPeer.map(\.bytes) == [toPeer] && atPeer.map(\.source) == [Self.relay4])
            #expect(atPeer6.map(\.bytes) == [toPeer6] && atPeer6.map(\.source) == [Self.relay6])
            #expect(snapshot.counters.relayedPackets == 4)
            #expect(snapshot.counters.relayedBytes == UInt64(4 * toClient.count))
            #expect(snapshot.counters.relaySendFailures == 0)

            // The right SPI from a stranger, from the peer's address with another port, or from the wrong
            // end; a SPI no route has from the right source: none is forwarded.
            try Self.send(Self.esp(0x1001, sequence: 2), from: stranger, to: Self.relay4)
            try Self.send(Self.esp(0x1001, sequence: 3), from: peerOtherPort, to: Self.relay4)
            try Self.send(Self.esp(0x2002, sequence: 4), from: peer, to: Self.relay4)
            try Self.send(Self.esp(0x1001, sequence: 5), from: client, to: Self.relay4)
            try Self.send(Self.esp(0x4444, sequence: 6), from: peer, to: Self.relay4)
            snapshot = try Self.settle(outside, datagrams: 9)
            #expect(try everyone.allSatisfy { try Self.received(at: $0).isEmpty })
            #expect(snapshot.counters.relayedPackets == 4)

            // ESP for the relay's own inbound SA from the peer is opened and written to the TUN, not
            // forwarded, though a route names that SPI from there.
            let endpoints = SAEndpoints(ownHIT: DataPathsTests.hitB, peerHIT: DataPathsTests.hitA)
            _ = try Self.settle(outside, datagrams: 9, .install(InboundInstall(spi: own, suite: .aesGCM16,
                                                                               keys: DataPathsTests.keys(1),
                                                                               endpoints: endpoints)))
            try Self.send(try DataPathsTests.Sealer(spi: own, keys: DataPathsTests.keys(1)).seal(), from: peer, to: Self.relay4)
            snapshot = try Self.settle(outside, datagrams: 10)
            #expect(snapshot.inbound.first { $0.spi == own }?.counters.packetsIn == 1)
            #expect(tun.awaitPacket(timeout: .seconds(5)) { $0.count == 148 && $0[0] >> 4 == 6 } != nil)
            #expect(try Self.received(at: client).isEmpty)
            #expect(snapshot.counters.relayedPackets == 4)

            // The registration ended: its routes are replaced with none, and nothing is forwarded.
            snapshot = try Self.settle(outside, datagrams: 10, .relay(client: Self.clientHIT, routes: []))
            #expect(snapshot.relayRoutes == 0 && snapshot.relayClients == 0)
            try Self.send(Self.esp(0x1001, sequence: 7), from: peer, to: Self.relay4)
            try Self.send(Self.esp(0x2002, sequence: 8), from: client, to: Self.relay4)
            snapshot = try Self.settle(outside, datagrams: 12)
            #expect(try everyone.allSatisfy { try Self.received(at: $0).isEmpty })
            #expect(snapshot.counters.relayedPackets == 4)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDestinationOfAFamilyWithoutSocketIsAFailedSend() throws {
        let router = VirtualRouter()
        let client = MemoryTransport(at: Self.client, on: router)
        defer { client.close() }
        try Self.withRelay(on: router, ipv6: false) { outside, _ in
            let route = RelayTable<SocketAddress>.Route(client: Self.client, peer: Self.peer6, toClientSPI: 0x1001,
                                                        toPeerSPI: 0x2002)
            _ = try Self.settle(outside, datagrams: 0, .relay(client: Self.clientHIT, routes: [route]))
            try Self.send(Self.esp(0x2002), from: client, to: Self.relay4)
            let snapshot = try Self.settle(outside, datagrams: 1)
            #expect(snapshot.counters.relayedPackets == 1 && snapshot.counters.relaySendFailures == 1)
        }
    }
}

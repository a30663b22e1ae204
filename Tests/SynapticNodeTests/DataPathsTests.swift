// The inside and outside paths on their own threads, in a network namespace (needs root): a TUN with our
// HIT and the paths' UDP sockets on loopback, the control inbox read by the test. Mobility (an outbound SA
// moved in place, also to the other address family), the ESP sources the outside path reports (first
// packet, a new source with a new highest sequence number, nothing for replayed or forged packets, at most
// 10 a second per SA), rekey thresholds (once per SA and direction, by bytes and by sequence number, the
// hard stop past the limit) and a rekey with the old inbound SA still open.
import Glibc
import HIPCrypto
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform
import SynapticTestSupport
import Testing
@testable import SynapticNode

@Suite(.serialized) struct DataPathsTests {
    static let enabled = NetworkNamespace.isAvailable
    static let hitA = HIT("2001:20::a")!
    static let hitB = HIT("2001:20::b")!
    static let loopback4 = SocketAddress(InetAddress("127.0.0.1")!, port: 0)
    static let loopback6 = SocketAddress(InetAddress("::1")!, port: 0)
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A namespace with a TUN for `own` (2001:20::/28 routed into it), UDP sockets on 127.0.0.1 and ::1 for
    /// the path under test, and its control inbox; all removed afterwards, on every path.
    static func withNamespace(own: HIT,
                              _ body: (NetworkNamespace, TunDevice, UDPSocket, UDPSocket, Inbox<ControlMessage>) throws -> Void) throws {
        try NetworkNamespace.withFresh(prefix: "synpath") { namespace in
            let (tun, udp4, udp6) = try namespace.run { () throws -> (TunDevice, UDPSocket, UDPSocket) in
                let tun = try TunDevice(name: "synpath%d", options: .init(virtioNetHeader: true,
                                                                          offloads: [.checksum, .tso4, .tso6]))
                try tun.configure(TunConfiguration(mtu: 1400, addresses: [IPPrefix(host: .v6(IPv6Address("\(own)")!))],
                                                   routes: [IPPrefix("2001:20::/28")!]))
                return (tun, try UDPSocket(bindingTo: loopback4), try UDPSocket(bindingTo: loopback6))
            }
            defer {
                tun.close()
                [udp4, udp6].forEach { $0.close() }
            }
            try body(namespace, tun, udp4, udp6, Inbox<ControlMessage>(poller: try EventPoller()))
        }
    }

    static func keys(_ seed: UInt64) -> ESPKeys {
        var generator = SeededGenerator(seed: seed)
        return ESPKeys(encryption: SecretBytes(generator.bytes(ESPSuiteID.aesGCM16.encryptionKeyLength)),
                       authentication: SecretBytes([]))
    }

    /// Datagrams that arrive on `socket` within `milliseconds`, until `count` came (payloads and sources).
    static func receive(_ count: Int, on socket: UDPSocket,
                        milliseconds: Int = 2000) throws -> [(bytes: [UInt8], source: SocketAddress?)] {
        let memory = PacketBatch(capacity: 8)
        let batch = DatagramBatch(capacity: 8)
        batch.receive(into: memory)
        var received: [(bytes: [UInt8], source: SocketAddress?)] = []
        for _ in 0..<milliseconds / 5 where received.count < count {
            for index in 0..<(try socket.receive(into: batch)) {
                received.append((Array(batch.packet(at: index)), batch.peer(at: index)))
            }
            if received.count < count { usleep(5_000) }
        }
        return received
    }

    /// Sends `payload` from `socket` to `destination`.
    static func send(_ payload: [UInt8], from socket: UDPSocket, to destination: SocketAddress) throws {
        let memory = PacketBatch(capacity: 1)
        let batch = DatagramBatch(capacity: 1)
        batch.append(copying: payload, into: memory, to: destination)
        #expect(try socket.send(batch).next == 1)
    }

    /// The SPI and (low 32 bits of the) sequence number at the start of an ESP packet.
    static func header(_ esp: [UInt8]) -> (spi: UInt32, sequence: UInt32) {
        let word = { (offset: Int) in esp[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        return (word(0), word(4))
    }

    static func sourceReports(_ messages: [ControlMessage]) -> [(spi: UInt32, source: SocketAddress)] {
        messages.compactMap {
            guard case .espSource(let peer, let spi, let source) = $0, peer == hitA || peer == hitB else { return nil }
            return (spi, source)
        }
    }

    static func rekeyRequests(_ messages: [ControlMessage]) -> [(spi: UInt32, direction: SADirection)] {
        messages.compactMap {
            guard case .rekeyWanted(_, let spi, let direction) = $0 else { return nil }
            return (spi, direction)
        }
    }

    // MARK: - Inside path

    @Test(.enabled(if: enabled, Comment(rawValue: NetworkNamespace.skipReason)), .timeLimit(.minutes(1)))
    func movedSAKeepsItsSequenceNumbersThresholdsPostOnceAndTheSAStopsPastTheLimit() throws {
        try Self.withNamespace(own: Self.hitA) { namespace, tun, udp4, udp6, control in
            let (peer4, peer6, app) = try namespace.run {
                (try UDPSocket(bindingTo: Self.loopback4), try UDPSocket(bindingTo: Self.loopback6),
                 try UDPSocket(bindingTo: SocketAddress(InetAddress("::")!, port: 0)))
            }
            defer { [peer4, peer6, app].forEach { $0.close() } }
            let inside = try InsidePath(tun: tun, udp4: udp4, udp6: udp6, database: SADatabase(), flows: LSIFlowTable(),
                                        mtu: 1400, offload: true, thresholds: RekeyThresholds(), logger: Self.logger,
                                        control: control)
            let thread = WorkerThread(name: "inside-test") { inside.run() }
            defer {
                inside.inbox.post(.stop)
                thread.join()
            }
            /// Posts `messages`, then waits until the path has applied them; its snapshot.
            func apply(_ messages: InsideMessage...) throws -> InsideSnapshot {
                for message in messages { inside.inbox.post(message) }
                let reply = Reply<InsideSnapshot>()
                inside.inbox.post(.snapshot(reply))
                return try #require(reply.wait(timeout: .seconds(5)))
            }
            let toPeer = SocketAddress(.v6(IPv6Address("\(Self.hitB)")!), port: 9)
            /// Sends `count` packets (100 bytes of data: 108 payload bytes in ESP) to B's HIT through the TUN
            /// and returns the ESP headers that reach `socket` (waiting `milliseconds` for each).
            func exchange(_ count: Int, arrivingOn socket: UDPSocket,
                          milliseconds: Int = 2000) throws -> [(spi: UInt32, sequence: UInt32)] {
                var headers: [(spi: UInt32, sequence: UInt32)] = []
                for _ in 0..<count {
                    try Self.send([UInt8](repeating: 0x42, count: 100), from: app, to: toPeer)
                    headers += try Self.receive(1, on: socket, milliseconds: milliseconds).map { Self.header($0.bytes) }
                }
                return headers
            }
            let endpoints = SAEndpoints(ownHIT: Self.hitA, peerHIT: Self.hitB)
            let spi: UInt32 = 0x100
            _ = try apply(.install(OutboundInstall(spi: spi, suite: .aesGCM16, keys: Self.keys(1), endpoints: endpoints,
                                                   destination: try peer4.localAddress())))
            #expect(try exchange(3, arrivingOn: peer4).map(\.sequence) == [1, 2, 3])

            // Moved to the peer's IPv6 address (a move naming another SPI is ignored): the same SA goes on
            // over the udp6 socket with the next sequence numbers.
            let moved = try apply(.move(peer: Self.hitB, spi: spi, destination: try peer6.localAddress()),
                                  .move(peer: Self.hitB, spi: spi + 1, destination: try peer4.localAddress()))
            #expect(moved.outbound.map(\.destination) == [try peer6.localAddress()])
            let afterMove = try exchange(3, arrivingOn: peer6)
            #expect(afterMove.map(\.spi) == [spi, spi, spi] && afterMove.map(\.sequence) == [4, 5, 6])
            #expect(try Self.receive(1, on: peer4, milliseconds: 200).isEmpty)
            // And back to IPv4.
            _ = try apply(.move(peer: Self.hitB, spi: spi, destination: try peer4.localAddress()))
            #expect(try exchange(1, arrivingOn: peer4).map(\.sequence) == [7])
            #expect(Self.rekeyRequests(control.drain()).isEmpty)

            // 7 × 108 bytes sealed; due at 1000 bytes: the 10th packet asks for a rekey, once.
            _ = try apply(.thresholds(RekeyThresholds(afterBytes: 1000)))
            _ = try exchange(2, arrivingOn: peer4)
            #expect(Self.rekeyRequests(control.drain()).isEmpty)
            _ = try exchange(3, arrivingOn: peer4)
            let byBytes = Self.rekeyRequests(control.drain())
            #expect(byBytes.count == 1 && byBytes.first?.spi == spi && byBytes.first?.direction == .outbound)

            // A new SA starting just below a sequence limit of 1000: due when its next number reaches it.
            let thresholds = RekeyThresholds(sequenceLimit: 1000)
            _ = try apply(.thresholds(thresholds),
                          .install(OutboundInstall(spi: spi + 1, suite: .aesGCM16, keys: Self.keys(2), endpoints: endpoints,
                                                   destination: try peer4.localAddress(), initialSequence: 998)))
            #expect(try exchange(1, arrivingOn: peer4).map(\.sequence) == [998])
            #expect(Self.rekeyRequests(control.drain()).isEmpty)
            #expect(try exchange(3, arrivingOn: peer4).map(\.sequence) == [999, 1000, 1001])
            #expect(Self.rekeyRequests(control.drain()).map(\.spi) == [spi + 1])

            // One not rekeyed in time stops 2^31 past the limit: the rest is dropped and counted.
            let last = thresholds.lastSequence
            _ = try apply(.install(OutboundInstall(spi: spi + 2, suite: .aesGCM16, keys: Self.keys(3), endpoints: endpoints,
                                                   destination: try peer4.localAddress(), initialSequence: last - 1)))
            #expect(try exchange(3, arrivingOn: peer4, milliseconds: 300).map(\.sequence) == [UInt32(truncatingIfNeeded: last - 1),
                                                                         UInt32(truncatingIfNeeded: last)])
            let stopped = try apply()
            #expect(stopped.outbound.first?.spi == spi + 2)
            #expect(stopped.outbound.first?.counters.drops(.sequenceExhausted) == 1)
            #expect(stopped.outbound.first?.counters.packetsOut == 2)
            #expect(Self.rekeyRequests(control.drain()).map(\.spi) == [spi + 2])
        }
    }

    // MARK: - Outside path

    /// Seals packets from A to B as A's outbound SA `spi` does: UDP with 100 bytes of data (108 payload bytes).
    struct Sealer {
        let processor: OutboundProcessor

        init(spi: UInt32, keys: ESPKeys) throws {
            let database = SADatabase()
            try database.installOutbound(spi: spi, suite: .aesGCM16, keys: keys,
                                         endpoints: SAEndpoints(ownHIT: hitA, peerHIT: hitB))
            processor = OutboundProcessor(database: database, flows: LSIFlowTable())
        }

        /// The next ESP packet.
        func seal() throws -> [UInt8] {
            let udp: [UInt8] = [0x30, 0x39, 0, 9, 0, 108, 0, 0] + [UInt8](repeating: 0x42, count: 100)
            let inner = [0x60, 0, 0, 0, 0, 108, 17, 64] + hitA.bytes + hitB.bytes + udp
            var buffer = [UInt8](repeating: 0, count: 2048)
            buffer.replaceSubrange(64..<64 + inner.count, with: inner)
            return try buffer.withUnsafeMutableBytes { buffer in
                let sealed = try processor.process(buffer, offset: 64, length: inner.count)
                return Array(buffer[sealed.offset..<sealed.offset + sealed.length])
            }
        }
    }

    @Test(.enabled(if: enabled, Comment(rawValue: NetworkNamespace.skipReason)), .timeLimit(.minutes(1)))
    func sourceReportsRateLimitRekeyThresholdsAndANewInboundSANextToTheOld() throws {
        try Self.withNamespace(own: Self.hitB) { namespace, tun, udp4, udp6, control in
            let (first, second, third) = try namespace.run {
                (try UDPSocket(bindingTo: Self.loopback4),
                 try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.2")!, port: 0)),
                 try UDPSocket(bindingTo: Self.loopback6))
            }
            defer { [first, second, third].forEach { $0.close() } }
            let (from1, from2, from6) = (try first.localAddress(), try second.localAddress(), try third.localAddress())
            let (to4, to6) = (try udp4.localAddress(), try udp6.localAddress())
            let outside = try OutsidePath(tun: tun, udp4: udp4, udp6: udp6, database: SADatabase(), flows: LSIFlowTable(),
                                          policy: nil, mtu: 1400, offload: true, thresholds: RekeyThresholds(afterBytes: 20 * 108),
                                          logger: Self.logger, control: control)
            let thread = WorkerThread(name: "outside-test") { outside.run() }
            defer {
                outside.inbox.post(.stop)
                thread.join()
            }
            func snapshot(_ messages: OutsideMessage...) throws -> OutsideSnapshot {
                for message in messages { outside.inbox.post(message) }
                let reply = Reply<OutsideSnapshot>()
                outside.inbox.post(.snapshot(reply))
                return try #require(reply.wait(timeout: .seconds(5)))
            }
            /// Waits until the SA `spi` opened `packets` packets and dropped `drops` (2 s at most); what the
            /// control plane was told meanwhile.
            func settle(_ spi: UInt32, packets: UInt64, drops: UInt64 = 0) throws -> [ControlMessage] {
                for _ in 0..<400 {
                    let counters = try snapshot().inbound.first { $0.spi == spi }?.counters
                    if counters?.packetsIn == packets && counters?.totalDrops == drops { break }
                    usleep(5_000)
                }
                let counters = try snapshot().inbound.first { $0.spi == spi }?.counters
                #expect(counters?.packetsIn == packets && counters?.totalDrops == drops)
                return control.drain()
            }
            let endpoints = SAEndpoints(ownHIT: Self.hitB, peerHIT: Self.hitA)
            let (old, new, parked): (UInt32, UInt32, UInt32) = (0x200, 0x201, 0x202)
            _ = try snapshot(.install(InboundInstall(spi: old, suite: .aesGCM16, keys: Self.keys(1), endpoints: endpoints)))
            let sealer = try Sealer(spi: old, keys: Self.keys(1))
            let esp = try (1...5).map { _ in try sealer.seal() }
            var rekeys: [(spi: UInt32, direction: SADirection)] = []

            // The first packet is reported with its source; the next from there is not.
            try Self.send(esp[0], from: first, to: to4)
            var told = try settle(old, packets: 1)
            #expect(Self.sourceReports(told).map(\.source) == [from1] && Self.sourceReports(told).map(\.spi) == [old])
            try Self.send(esp[1], from: first, to: to4)
            #expect(Self.sourceReports(try settle(old, packets: 2)).isEmpty)
            // A new highest sequence number from another source (address and port) is.
            try Self.send(esp[2], from: second, to: to4)
            told = try settle(old, packets: 3)
            #expect(Self.sourceReports(told).map(\.source) == [from2])
            // A replay and a forgery from the first source again: dropped, nothing reported.
            var forged = esp[4]
            forged[forged.count - 1] ^= 1
            try Self.send(esp[2], from: first, to: to4)
            try Self.send(forged, from: first, to: to4)
            #expect(Self.sourceReports(try settle(old, packets: 3, drops: 2)).isEmpty)
            // Sequence number 5 from the reported source, then the late 4 from the other one: nothing.
            try Self.send(esp[4], from: second, to: to4)
            try Self.send(esp[3], from: first, to: to4)
            told = try settle(old, packets: 5, drops: 2)
            #expect(Self.sourceReports(told).isEmpty)
            rekeys += Self.rekeyRequests(told)

            // 30 packets alternating between the sources: at most 10 reports (+1 if the bucket refills).
            for index in 0..<30 { try Self.send(try sealer.seal(), from: index % 2 == 0 ? first : second, to: to4) }
            told = try settle(old, packets: 35, drops: 2)
            let flood = Self.sourceReports(told)
            let suppressed = try snapshot().counters.sourceReportsSuppressed
            #expect(flood.count >= 1 && flood.count <= NodeLimits.espSourceReportsPerSecond + 1)
            #expect(suppressed >= UInt64(15 - flood.count))
            // 35 × 108 payload bytes passed the 20 × 108 threshold: one rekey request.
            rekeys += Self.rekeyRequests(told)
            #expect(rekeys.map(\.spi) == [old] && rekeys.map(\.direction) == [.inbound])

            // Rekey: the new inbound SA opens (its first packet is reported, here over IPv6) while the old one
            // still opens what is in flight; a sequence limit of 3 makes the new one due at its third packet.
            let straggler = try sealer.seal()
            _ = try snapshot(.install(InboundInstall(spi: new, suite: .aesGCM16, keys: Self.keys(2), endpoints: endpoints)),
                             .thresholds(RekeyThresholds(sequenceLimit: 3)))
            let newSealer = try Sealer(spi: new, keys: Self.keys(2))
            try Self.send(try newSealer.seal(), from: third, to: to6)
            told = try settle(new, packets: 1)
            #expect(Self.sourceReports(told).map(\.spi) == [new] && Self.sourceReports(told).map(\.source) == [from6])
            try Self.send(straggler, from: first, to: to4)
            rekeys = Self.rekeyRequests(try settle(old, packets: 36, drops: 2))
            for _ in 0..<3 { try Self.send(try newSealer.seal(), from: third, to: to6) }
            rekeys += Self.rekeyRequests(try settle(new, packets: 4))
            #expect(rekeys.map(\.spi) == [new] && rekeys.map(\.direction) == [.inbound])

            // ESP that arrives before its SA is parked with its source; once the SA is there, it is reported.
            try Self.send(try Sealer(spi: parked, keys: Self.keys(3)).seal(), from: second, to: to4)
            usleep(50_000)
            _ = try snapshot(.install(InboundInstall(spi: parked, suite: .aesGCM16, keys: Self.keys(3), endpoints: endpoints)))
            told = try settle(parked, packets: 1)
            #expect(Self.sourceReports(told).map(\.spi) == [parked] && Self.sourceReports(told).map(\.source) == [from2])
        }
    }
}

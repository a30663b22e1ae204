// Full nodes on a virtual network in memory (tier 3 of ARCHITECTURE.md), no root: each host a NodeEngine
// over a MemoryTun and a MemoryTransport, the VirtualRouter between them. A base exchange, then an ICMPv6
// echo written into one host's TUN comes out of the other's (checksum intact), also with 20 % loss
// (retransmissions, the echo repeated as ping would), with HIP packets reordered and ESP duplicated (the
// copies dropped as replays), after a host moved (UPDATE, the peer verifies the new locator and moves its
// SA), through a NAT that rewrites the source address and port, and after the clock jumped past the rekey
// age (an UPDATE replaces the SAs); a TSO super-packet crosses as its segments and is coalesced again.
//
// Time: a shared TestClock; while a test waits it moves the clock forward by a second every 100 ms and
// wakes the control loops, so retransmission timers fire quickly. Every wait has a deadline.
import Dispatch
import Glibc
import HIPCrypto
import HIPWire
import SynapticPlatform
import SynapticTestSupport
import Testing
@testable import SynapticNode

@Suite struct VirtualNetworkTests {
    static let addressA = InetAddress("198.18.0.1")!
    static let addressB = InetAddress("198.18.0.2")!

    /// A network of hosts a and b (each configured with the other at its address, then `configure`d;
    /// `prepare` applied to the router first), running; both stopped afterwards, on every path.
    static func withTwoHosts(addressA: InetAddress = addressA, prepare: (VirtualRouter) -> Void = { _ in },
                             configure: (inout NodeConfiguration) -> Void = { _ in },
                             _ body: (VirtualRouter, TestClock, VirtualHost, VirtualHost) throws -> Void) throws {
        let router = VirtualRouter(seed: 7)
        let clock = TestClock()
        let a = try VirtualHost("a", at: addressA, on: router, clock: clock)
        let b = try VirtualHost("b", at: Self.addressB, on: router, clock: clock)
        prepare(router)
        defer {
            // CLOSE and CLOSE_ACK get through, so the shutdown does not wait out its limit.
            router.setRule { _, _ in .deliver }
            [a, b].forEach { $0.beginStop() }
            [a, b].forEach { $0.finishStop() }
        }
        try b.start(peers: [a], configure)
        try a.start(peers: [b], configure)
        try body(router, clock, a, b)
    }

    /// An ICMPv6 echo request (or reply) between two HITs, checksum filled.
    static func echo(from source: HIT, to destination: HIT, reply: Bool = false, sequence: Int) -> [UInt8] {
        let message = TestPackets.icmpEcho(type: reply ? 129 : 128, identifier: 0x5A5A, sequence: sequence,
                                           data: Array("synaptic virtual network".utf8))
        return TestPackets.ipv6(source, destination, nextHeader: 58, segment: message, checksumOffset: 2)
    }

    /// Whether `packet` is `sent` as the peer's TUN gives it: the same bytes but the hop limit (the inner
    /// header is rebuilt), with a valid ICMPv6 checksum.
    static func isDelivery(of sent: [UInt8]) -> ([UInt8]) -> Bool {
        { packet in
            guard packet.count == sent.count, packet[..<7] == sent[..<7], packet[8...] == sent[8...],
                  let source = HIT(bytes: packet[8..<24]), let destination = HIT(bytes: packet[24..<40]) else {
                return false
            }
            let segment = Array(packet[40...])
            let pseudo = TestPackets.ipv6PseudoHeader(source, destination, length: segment.count, nextHeader: 58)
            return TestPackets.checksum(pseudo, segment) == 0
        }
    }

    /// Writes echo requests (sequence 1, 2, ...) into `from`'s TUN until one comes out of `to`'s, as ping
    /// does: once per 100 ms, the clock a second further each time (retransmissions fire) and every host
    /// woken. The number of requests sent; nil if none arrived within `timeout`.
    @discardableResult
    static func ping(from: VirtualHost, to: VirtualHost, clock: TestClock, hosts: [VirtualHost],
                     timeout: Duration = .seconds(20)) -> Int? {
        let deadline = DispatchTime.after(timeout)
        var sequence = 0
        while DispatchTime.now() < deadline {
            sequence += 1
            let request = echo(from: from.hit, to: to.hit, sequence: sequence)
            from.tun.inject(request)
            if to.tun.awaitPacket(timeout: .milliseconds(100), where: isDelivery(of: request)) != nil { return sequence }
            clock.advance(by: .seconds(1))
            hosts.forEach { $0.wake() }
        }
        return nil
    }

    /// Whether `condition` holds within `timeout` (checked every 10 ms).
    static func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
        let deadline = DispatchTime.after(timeout)
        while !condition() {
            guard DispatchTime.now() < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// The association `host` has with `peer`, as its status shows it.
    static func association(of host: VirtualHost, with peer: VirtualHost) -> AssociationStatus? {
        host.status()?.associations.first { $0.hit == peer.hit.description }
    }

    @Test(.timeLimit(.minutes(1)))
    func baseExchangeThenEchoesBothWays() throws {
        try Self.withTwoHosts { _, _, a, b in
            let request = Self.echo(from: a.hit, to: b.hit, sequence: 1)
            a.tun.inject(request)
            // Queued until the base exchange finished, then sealed, carried and opened.
            #expect(b.tun.awaitPacket(where: Self.isDelivery(of: request)) != nil)
            let reply = Self.echo(from: b.hit, to: a.hit, reply: true, sequence: 1)
            b.tun.inject(reply)
            #expect(a.tun.awaitPacket(where: Self.isDelivery(of: reply)) != nil)
            #expect(Self.association(of: a, with: b)?.state == "ESTABLISHED")
            #expect(Self.association(of: b, with: a)?.state == "ESTABLISHED")
        }
    }

    /// A TSO read of 20 × 1000 bytes of TCP (with timestamps) from `source` to `destination`, IPv6 between
    /// HITs or IPv4 between LSIs, as the kernel hands it over: virtio-net header, pseudo-header checksum.
    static func tsoRead(v4: Bool, from source: HIT, to destination: HIT) -> [UInt8] {
        let options: [UInt8] = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]
        let payload = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let tcp = TestPackets.be16(40000) + TestPackets.be16(5001) + TestPackets.be32(0x1000) + TestPackets.be32(9)
            + [0x80, 0x18] + TestPackets.be16(1000) + [0, 0, 0, 0] + options + payload
        let packet = v4 ? TestPackets.ipv4(LSI.forHIT(source), LSI.forHIT(destination), protocol: 6, segment: tcp,
                                           checksumOffset: 16)
                        : TestPackets.ipv6(source, destination, nextHeader: 6, segment: tcp, checksumOffset: 16)
        let ipLength = v4 ? 20 : 40
        let le = { (value: Int) in [UInt8(value & 0xFF), UInt8(value >> 8)] }
        return [1, v4 ? 1 : 4] + le(ipLength + 32) + le(1000) + le(ipLength) + le(16) + packet
    }

    /// A TCP super-packet read from A's TUN (TSO) is cut into segments before BEET and LSI translation,
    /// sealed and sent as UDP_SEGMENT datagrams; B opens them and coalesces them into one TUN write, which
    /// cut again gives the same segments in order. Over the HITs, and over the LSIs (B presents that flow
    /// as IPv6 between the HITs: it did not start it, and no IPv4 listener asks for it).
    @Test(.timeLimit(.minutes(1)), arguments: [false, true])
    func tsoSuperPacketArrivesAsItsSegmentsCoalescedAgain(v4: Bool) throws {
        try Self.withTwoHosts { _, clock, a, b in
            try #require(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            a.tun.injectRead(Self.tsoRead(v4: v4, from: a.hit, to: b.hit))
            var segments: [[UInt8]] = []
            while segments.count < 20, let packet = b.tun.awaitPacket(where: { $0[6] == 6 }) { segments.append(packet) }
            #expect(segments.count == 20)
            #expect(b.tun.superPackets >= 1)
            for (index, segment) in segments.enumerated() {
                #expect(segment.count == 40 + 32 + 1000 && segment[0] >> 4 == 6)
                #expect(HIT(bytes: segment[8..<24]) == a.hit && HIT(bytes: segment[24..<40]) == b.hit)
                let sequence = segment[44..<48].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                #expect(sequence == 0x1000 + UInt32(index * 1000))
                #expect(segment[53] == (index == 19 ? 0x18 : 0x10))  // PSH on the last segment only
                #expect(Array(segment[72...]) == (0..<1000).map { UInt8(truncatingIfNeeded: ($0 + index * 1000) &* 13) })
                let pseudo = TestPackets.ipv6PseudoHeader(a.hit, b.hit, length: segment.count - 40, nextHeader: 6)
                #expect(TestPackets.checksum(pseudo, Array(segment[40...])) == 0)
            }
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func twentyPercentLossStillEstablishesAndCarriesEchoes() throws {
        // The first datagram (A's I1) is lost for sure, then one in five.
        try Self.withTwoHosts(prepare: { $0.setRule(VirtualRouter.loss(0.2, droppingFirst: 1)) }) { router, clock, a, b in
            for _ in 0..<10 {
                try #require(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
                try #require(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)
            }
            #expect(Self.association(of: a, with: b)?.state == "ESTABLISHED")
            #expect((a.status()?.hipEvents["retransmissions"] ?? 0) > 0)
            #expect(router.counters.dropped > 1)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func reorderedAndDuplicatedDatagramsAreAbsorbed() throws {
        // Every second HIP packet (zero marker) is held back behind the next datagram; every ESP packet
        // arrives twice.
        let rule: VirtualRouter.Rule = { datagram, _ in
            guard datagram.bytes.starts(with: [0, 0, 0, 0]) else { return .duplicate }
            return datagram.number % 2 == 0 ? .holdBack : .deliver
        }
        try Self.withTwoHosts(prepare: { $0.setRule(rule) }) { _, clock, a, b in
            let sequence = try #require(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]))
            // The second copy is a replay: the echo comes out of B's TUN once.
            let request = Self.echo(from: a.hit, to: b.hit, sequence: sequence)
            #expect(b.tun.awaitPacket(timeout: .milliseconds(300), where: Self.isDelivery(of: request)) == nil)
            #expect(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)
            #expect((b.status()?.associations.first?.drops["replay"] ?? 0) > 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func hostThatMovedIsReachedAtItsNewAddress() throws {
        try Self.withTwoHosts { router, clock, a, b in
            #expect(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            #expect(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)

            // A moves: its old address is gone from the network; its node hears the change and sends an
            // UPDATE; B verifies the new locator and moves its SA there.
            let moved = InetAddress("198.18.0.11")!
            a.move(to: moved, on: router)
            #expect(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)
            #expect(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            let association = Self.association(of: b, with: a)
            #expect(association?.state == "ESTABLISHED")
            #expect(association?.locator?.contains("\(moved)") == true)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func natRewritingTheSourceAddressAndPortKeepsTrafficFlowingBothWays() throws {
        let inside = InetAddress("10.0.0.1")!
        let outside = InetAddress("198.18.0.100")!
        try Self.withTwoHosts(addressA: inside, prepare: { $0.translate(inside, to: outside) }) { router, clock, a, b in
            #expect(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            #expect(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)
            // B knows A only by the NAT's address and mapped port.
            let association = Self.association(of: b, with: a)
            #expect(association?.locator?.contains("\(outside)") == true)
            #expect(association?.locator?.contains("\(VirtualHost.port)") == false)
            #expect(router.counters.translated > 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func clockPastTheRekeyAgeRekeysAndTrafficGoesOn() throws {
        try Self.withTwoHosts(configure: {
            $0.hostSettings.rekeyInterval = .seconds(600)
            $0.hostSettings.unusedAssociationLifetime = nil
        }) { _, clock, a, b in
            #expect(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            let before = try #require(Self.association(of: a, with: b)?.spiOut)
            // Ten minutes later (for the core): the association's SAs are due, an UPDATE replaces them.
            clock.advance(by: .seconds(601))
            [a, b].forEach { $0.wake() }
            #expect(Self.eventually { Self.association(of: a, with: b).map { $0.spiOut != before } == true })
            #expect(Self.ping(from: a, to: b, clock: clock, hosts: [a, b]) != nil)
            #expect(Self.ping(from: b, to: a, clock: clock, hosts: [a, b]) != nil)
            #expect((a.status()?.hipPacketsSent["update"] ?? 0) > 0)
        }
    }
}

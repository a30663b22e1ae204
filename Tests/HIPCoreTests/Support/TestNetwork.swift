// TestNetwork: two (or more) HIPHosts in memory, a virtual network and a manual clock. It performs the
// actions the way the shell will: sends (each on the transport of its destination, filling the HIP checksum
// over raw IP), installs/moves/removes SAs,
// releases nothing itself (the host does), keeps the latest wake request, collects reports. The network is a
// router double: a datagram reaches the host that holds its destination address now (hosts move by changing
// their addresses; a source address the host no longer holds cannot send), and `intercept` can drop,
// duplicate, reorder or rewrite datagrams (an attacker on the path, a NAT). `sendESP` models the data plane:
// a packet on the sender's outbound SA opens on the receiver's inbound SA with the same SPI and keys.

import HIPCrypto
import HIPWire
@testable import HIPCore

struct Datagram {
    var bytes: [UInt8]
    let type: PacketType
    let from: Int
    let to: Int?
    let source: Endpoint
    let destination: IPAddress
    let isRetransmission: Bool
    let sentAt: Instant
}

struct TestPeer {
    var host: HIPHost
    /// The addresses the host holds now (the first is its main one).
    var addresses: [IPAddress]
    let spis: RandomSPIAllocator
    /// Installed SA pairs by our inbound SPI (base exchange).
    var sas: [UInt32: SecurityAssociationPair] = [:]
    /// Every installed inbound SA's keys by SPI (base exchange and rekeys).
    var inbound: [UInt32: ESPKeys] = [:]
    /// The outbound SA per peer: SPI, keys, where its ESP goes.
    var outbound: [HIT: (spi: UInt32, keys: ESPKeys, destination: Endpoint)] = [:]

    var address: IPAddress { addresses[0] }
    var reports: [Report] = []
    var wake: Instant?
    /// Data Relay routes installed, by registered client.
    var relayRoutes: [HIT: [RelayRoute]] = [:]

    var rejections: [Rejection] {
        reports.compactMap { if case .rejected(let r) = $0 { r } else { nil } }
    }
    var rejectionReasons: [RejectReason] { rejections.map(\.reason) }
}

struct TestNetwork {
    var peers: [TestPeer]
    var now = Instant.zero
    var queue: [Datagram] = []
    /// Every datagram sent, in order (for pcaps and assertions).
    var sent: [Datagram] = []
    /// The transport `endpoint(_:)` reaches hosts on (and ESP comes from); each HIP packet travels on the
    /// transport of its destination.
    let transport: Transport
    /// Sees each datagram before delivery and returns what to deliver instead ([] drops it).
    var intercept: ((Datagram) -> [Datagram])?
    /// Packets a host could not send (their source address is gone).
    var unsendable = 0

    init(_ hosts: [(HIPHost, RandomSPIAllocator)], transport: Transport = .udp(port: 10500), ipv6: Bool = false) {
        self.transport = transport
        peers = hosts.enumerated().map { index, entry in
            let address = ipv6 ? IPAddress("2001:db8::\(index + 1)")! : IPAddress("192.0.2.\(index + 1)")!
            return TestPeer(host: entry.0, addresses: [address], spis: entry.1)
        }
    }

    /// The endpoint under which peer `index` is reached.
    func endpoint(_ index: Int) -> Endpoint { Endpoint(address: peers[index].address, transport: transport) }

    /// Hands `event` to peer `index` and performs its actions.
    mutating func handle(_ event: Event, at index: Int) {
        let actions = peers[index].host.handle(event, now: now)
        perform(actions, at: index)
    }

    mutating func perform(_ actions: [Action], at index: Int) {
        for action in actions {
            switch action {
            case .send(let packet):
                var bytes = packet.bytes
                guard let source = sourceAddress(packet.source, at: index, to: packet.destination.address) else {
                    unsendable += 1
                    continue
                }
                // The packet travels on the transport it was sent on (hosts share one UDP port).
                let carrier = packet.destination.transport
                if case .raw = carrier {
                    HIPChecksum.fill(&bytes, source: source, destination: packet.destination.address)
                }
                let target = peers.firstIndex { $0.addresses.contains(packet.destination.address) }
                let datagram = Datagram(bytes: bytes, type: packet.type, from: index, to: target,
                                        source: Endpoint(address: source, transport: carrier),
                                        destination: packet.destination.address,
                                        isRetransmission: packet.isRetransmission, sentAt: now)
                sent.append(datagram)
                queue.append(datagram)
            case .installSA(let pair):
                peers[index].sas[pair.inboundSPI] = pair
                peers[index].inbound[pair.inboundSPI] = pair.inboundKeys
                peers[index].outbound[pair.peerHIT] = (pair.outboundSPI, pair.outboundKeys, pair.peerEndpoint)
            case .installInboundSA(let sa):
                peers[index].inbound[sa.spi] = sa.keys
            case .installOutboundSA(let sa):
                peers[index].outbound[sa.peerHIT] = (sa.spi, sa.keys, sa.peerEndpoint)
            case .retireInboundSA(_, let spi):
                peers[index].inbound[spi] = nil
            case .moveSA(let peer, let spi, let endpoint, _):
                if peers[index].outbound[peer]?.spi == spi { peers[index].outbound[peer]?.destination = endpoint }
            case .removeSA(let peer, let inbound, _):
                peers[index].sas[inbound] = nil
                peers[index].inbound[inbound] = nil
                peers[index].outbound[peer] = nil
            case .releaseSPI:
                break
            case .relayRoutes(let client, let routes):
                peers[index].relayRoutes[client] = routes.isEmpty ? nil : routes
            case .wake(let at):
                peers[index].wake = at
            case .report(let report):
                peers[index].reports.append(report)
            }
        }
    }

    /// The source of a packet from peer `index`: the given one if the host still holds it, else (nil) as
    /// the kernel would choose: its address on the destination's network (the same /24 or /64, a connected
    /// route) if it has one, else its first address of the destination's family; nil if it has none.
    func sourceAddress(_ given: IPAddress?, at index: Int, to destination: IPAddress) -> IPAddress? {
        if let given { return peers[index].addresses.contains(given) ? given : nil }
        let family = peers[index].addresses.filter { $0.isIPv4 == destination.isIPv4 }
        return family.first { Self.sameNetwork($0, destination) } ?? family.first
    }

    /// Whether two addresses are on one network: the same /24 (IPv4) or /64 (IPv6).
    static func sameNetwork(_ a: IPAddress, _ b: IPAddress) -> Bool {
        guard a.isIPv4 == b.isIPv4 else { return false }
        let length = a.isIPv4 ? 3 : 8
        return a.bytes.prefix(length) == b.bytes.prefix(length)
    }

    /// Peer `from` sends one ESP packet to peer `to` on its outbound SA: it arrives (if the destination is
    /// held by `to`, or by a relay with a route for it) and opens if `to` has an inbound SA with that SPI and the same keys; `to` then gets
    /// `.espReceived` (as the data plane reports the first packet of an SA and source changes, tests call
    /// this for the packets they care about). Returns whether the packet opened.
    /// A host with Data Relay routes (`relayRoutes`) forwards ESP that matches one of them.
    @discardableResult
    mutating func sendESP(_ from: Int, to: Int) -> Bool {
        guard let sa = peers[from].outbound[peers[to].host.localHIT],
              let address = sourceAddress(nil, at: from, to: sa.destination.address) else { return false }
        var source = Endpoint(address: address, transport: transport)
        var destination = sa.destination.address
        if let relay = peers.firstIndex(where: { $0.addresses.contains(destination) }), relay != to {
            guard let route = peers[relay].relayRoutes.values.joined().first(where: {
                ($0.toClientSPI == sa.spi && $0.peer == source) || ($0.toPeerSPI == sa.spi && $0.client == source)
            }) else { return false }
            destination = route.toClientSPI == sa.spi && route.peer == source ? route.client.address : route.peer.address
            source = Endpoint(address: peers[relay].address, transport: transport)
        }
        guard peers[to].addresses.contains(destination), let keys = peers[to].inbound[sa.spi],
              keys.encryption.bytes == sa.keys.encryption.bytes,
              keys.authentication.bytes == sa.keys.authentication.bytes else { return false }
        handle(.espReceived(peer: peers[from].host.localHIT, spi: sa.spi, source: source), at: to)
        return true
    }

    /// Where peer `from` sends ESP to peer `to` now (its outbound SA's destination address).
    func espDestination(_ from: Int, to: Int) -> IPAddress? {
        peers[from].outbound[peers[to].host.localHIT]?.destination.address
    }

    /// Whether a packet from `from` to `to` would arrive and open now (`sendESP` on a copy: nothing changes).
    func opens(_ from: Int, to: Int) -> Bool {
        var copy = self
        return copy.sendESP(from, to: to)
    }

    /// Delivers one datagram (after `intercept`).
    mutating func deliver(_ datagram: Datagram) {
        let deliveries = intercept.map { $0(datagram) } ?? [datagram]
        for delivery in deliveries {
            // Routed by the destination address at delivery time (a host may have moved meanwhile).
            guard let to = peers.firstIndex(where: { $0.addresses.contains(delivery.destination) }) else { continue }
            handle(.packet(bytes: delivery.bytes, source: delivery.source, destination: delivery.destination), at: to)
        }
    }

    /// Delivers queued datagrams in order until none is left.
    mutating func deliverAll() {
        while !queue.isEmpty {
            deliver(queue.removeFirst())
        }
    }

    /// Delivers everything and fires timers in time order until nothing happens before `now + limit`.
    mutating func run(for limit: Duration = .seconds(60)) {
        let end = now + limit
        while true {
            deliverAll()
            guard let next = peers.compactMap(\.wake).min(), next <= end else { break }
            now = max(now, next)
            for index in peers.indices where peers[index].wake.map({ $0 <= now }) == true {
                peers[index].wake = nil
                handle(.timer, at: index)
            }
        }
        now = max(now, end)
    }

    /// Advances the clock to `instant`, firing timers on the way, without delivering anything new first.
    mutating func advance(by duration: Duration) {
        run(for: duration)
    }

    /// Peer `from` has data for peer `to`: starts the exchange.
    mutating func connect(_ from: Int, to: Int) {
        handle(.outboundData(peer: peers[to].host.localHIT, endpoints: [endpoint(to)]), at: from)
    }

    func association(_ index: Int, with other: Int) -> Association? {
        peers[index].host.association(for: peers[other].host.localHIT)
    }

    func sentTypes(from index: Int) -> [PacketType] {
        sent.filter { $0.from == index }.map(\.type)
    }
}

/// Hosts for tests: seeded randomness, a random SPI allocator on it, everyone allowed by default.
enum TestHosts {
    static func make(_ identity: HostIdentity, settings: HostSettings = TestHosts.fastSettings(), seed: UInt64,
                     policy: any PeerPolicy = AllowedPeers.anyone, now: Instant = .zero) throws -> (HIPHost, RandomSPIAllocator) {
        let random = SeededRandom(seed: seed)
        let spis = RandomSPIAllocator(random: random)
        let host = try HIPHost(identity: identity, settings: settings, random: random, spis: spis, policy: policy, now: now)
        return (host, spis)
    }

    /// Default settings restricted to one cheap DH group (P-256), for tests that are not about negotiation;
    /// KEYMAT inputs exported so that `Agreement` can draw the keys again.
    static func fastSettings() -> HostSettings {
        var settings = HostSettings()
        settings.dhGroups = [.nistP256]
        settings.exportsKeymatInputs = true
        return settings
    }
}

extension SecretBytes {
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

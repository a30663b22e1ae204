// TestNetwork: two (or more) HIPHosts in memory, a virtual wire and a manual clock. It performs the actions
// the way the shell will: sends (filling the HIP checksum over raw IP), installs/removes SAs, keeps the
// latest wake request, collects reports.

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
    let address: IPAddress
    let spis: RandomSPIAllocator
    /// Installed SA pairs by our inbound SPI.
    var sas: [UInt32: SecurityAssociationPair] = [:]
    var reports: [Report] = []
    var wake: Instant?

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
    let transport: Transport
    /// Sees each datagram before delivery and returns what to deliver instead ([] drops it).
    var intercept: ((Datagram) -> [Datagram])?

    init(_ hosts: [(HIPHost, RandomSPIAllocator)], transport: Transport = .udp(port: 10500), ipv6: Bool = false) {
        self.transport = transport
        peers = hosts.enumerated().map { index, entry in
            let address = ipv6 ? IPAddress("2001:db8::\(index + 1)")! : IPAddress("192.0.2.\(index + 1)")!
            return TestPeer(host: entry.0, address: address, spis: entry.1)
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
                let source = packet.source ?? peers[index].address
                if case .raw = transport {
                    HIPChecksum.fill(&bytes, source: source, destination: packet.destination.address)
                }
                let target = peers.firstIndex { $0.address == packet.destination.address }
                let datagram = Datagram(bytes: bytes, type: packet.type, from: index, to: target,
                                        source: Endpoint(address: source, transport: transport),
                                        destination: packet.destination.address,
                                        isRetransmission: packet.isRetransmission, sentAt: now)
                sent.append(datagram)
                queue.append(datagram)
            case .installSA(let pair):
                peers[index].sas[pair.inboundSPI] = pair
            case .removeSA(_, let inbound, _):
                peers[index].sas[inbound] = nil
            case .wake(let at):
                peers[index].wake = at
            case .report(let report):
                peers[index].reports.append(report)
            }
        }
    }

    /// Delivers one datagram (after `intercept`).
    mutating func deliver(_ datagram: Datagram) {
        let deliveries = intercept.map { $0(datagram) } ?? [datagram]
        for delivery in deliveries {
            guard let to = delivery.to else { continue }
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

// SeedNetwork: the seed writer's in-memory network. A is a FuzzedHost, so it sees exactly what a replay of
// the recorded input gives it; the peers B and C are full HIPHosts (identities from Fixture) that draw
// from their own RAND stream, switched in around each of their calls, so A's stream is the one a replay
// has. Packets to A's addresses become records (kept in `records`, then applied to A); packets to a peer's
// address go to that peer's host; anything else is lost. The clock is A's: only A's records move it.
import CDeterministicRandom
import FuzzSupport
import HIPCore
import HIPCrypto
import HIPWire

/// A, B and C exchanging packets in memory, recording what A receives.
struct SeedNetwork {
    static let (b, c) = (0, 1)

    private struct Peer {
        var host: HIPHost
        var addresses: [IPAddress]
    }

    private struct Datagram {
        let bytes: [UInt8]
        let source: Endpoint
        let destination: IPAddress
    }

    private(set) var fuzzed = FuzzedHost.fresh()
    private(set) var records: [Record] = []
    private var peers: [Peer] = []
    private var queue: [Datagram] = []
    private var peerStream: UInt64 = 6
    /// Each host's inbound SPI per peer, from the installSA actions (for espReceived).
    private var inboundSPIs: [HIT: [HIT: UInt32]] = [:]

    init() {
        var bSettings = HostSettings()
        bSettings.dhGroups = [.nistP384, .nistP256]
        var cSettings = HostSettings()
        cSettings.dhGroups = [.nistP256]
        cSettings.registrations = [Fixture.prototype.localHIT: [RegistrationType.relayUDPHIP, RegistrationType.relayUDPESP]]
        let fuzzedStream = fuzz_random_exchange_state(peerStream)
        let peerSetups = [(1, bSettings, [Fixture.sources[0].address, Fixture.sources[1].address]),
                          (2, cSettings, [Fixture.sources[2].address, Fixture.sources[3].address])]
        peers = peerSetups.map { identity, settings, addresses in
            do {
                return Peer(host: try HIPHost(identity: Fixture.identities[identity], settings: settings,
                                              policy: AllowedPeers.anyone, now: Fixture.start),
                            addresses: addresses)
            } catch {
                fatalError("creating a peer: \(error)")
            }
        }
        peerStream = fuzz_random_exchange_state(fuzzedStream)
    }

    /// A's endpoint of the family of `address`, over UDP or raw IP.
    static func fuzzedEndpoint(facing address: IPAddress, udp: Bool) -> Endpoint {
        Endpoint(address: Fixture.ownAddress(facing: address), transport: udp ? .udp(port: HIPProtocol.udpPort) : .raw)
    }

    /// Peer `index` handles `event` now; what it sends is queued.
    mutating func peer(_ index: Int, _ event: Event) {
        let fuzzedStream = fuzz_random_exchange_state(peerStream)
        let actions = peers[index].host.handle(event, now: fuzzed.now)
        peerStream = fuzz_random_exchange_state(fuzzedStream)
        perform(actions, from: peers[index].host.localHIT, addresses: peers[index].addresses)
    }

    /// Peer `index` now holds `addresses` and is told so.
    mutating func move(_ index: Int, to addresses: [IPAddress]) {
        peers[index].addresses = addresses
        peer(index, .localAddressesChanged(addresses))
    }

    /// A handles an event record: `kind` about peer `peer` (an index of Fixture.peerHITs), its endpoint the
    /// record's source (Fixture.sources[source]) over UDP or raw IP, after the clock step `step`.
    mutating func fuzzedEvent(_ kind: FuzzedHost.EventKind, peer: Int = SeedNetwork.b, udp: Bool = false,
                              source: Int = 0, step: Int = 0, arguments: [UInt8] = []) {
        let selector = UInt8(peer) | (udp ? 4 : 0)
        record(Record(header: FuzzedHost.header(.event, source: source, step: step),
                      body: [kind.rawValue, selector] + arguments))
    }

    /// Tells A that ESP arrived on its inbound SA with peer `index` (as the data plane reports the first
    /// packet), from that peer's Fixture.sources entry `source`.
    mutating func fuzzedSawESP(from index: Int, source: Int, udp: Bool) {
        guard let spi = inboundSPIs[Fixture.prototype.localHIT]?[peers[index].host.localHIT] else { return }
        fuzzedEvent(.espReceived, peer: index, udp: udp, source: source, arguments: [UInt8](bigEndian: spi))
    }

    /// Tells peer `index` that ESP arrived from A on its inbound SA with A.
    mutating func peerSawESP(_ index: Int, from source: IPAddress, udp: Bool) {
        let fuzzedHIT = Fixture.prototype.localHIT
        guard let spi = inboundSPIs[peers[index].host.localHIT]?[fuzzedHIT] else { return }
        peer(index, .espReceived(peer: fuzzedHIT, spi: spi, source: Self.fuzzedEndpoint(facing: source, udp: udp)))
    }

    /// Delivers queued packets, and what they cause, until nothing is left.
    mutating func run() {
        while !queue.isEmpty {
            let datagram = queue.removeFirst()
            if Fixture.ownAddresses.contains(datagram.destination) {
                record(Self.record(datagram))
            } else if let index = peers.firstIndex(where: { $0.addresses.contains(datagram.destination) }) {
                peer(index, .packet(bytes: datagram.bytes, source: datagram.source, destination: datagram.destination))
            }
        }
    }

    private mutating func record(_ record: Record) {
        records.append(record)
        perform(fuzzed.apply(record), from: Fixture.prototype.localHIT, addresses: Fixture.ownAddresses)
    }

    /// The record A receives `datagram` as.
    private static func record(_ datagram: Datagram) -> Record {
        let address = datagram.source.address
        let port: UInt16
        let kind: FuzzedHost.Kind
        var packet = datagram.bytes
        switch datagram.source.transport {
        case .raw:
            (kind, port) = (.rawPacket, HIPProtocol.udpPort)
        case .udp(let sourcePort):
            (kind, port) = (.udpDatagram, sourcePort)
            packet = [0, 0, 0, 0] + packet
        }
        if let source = Fixture.sources.firstIndex(of: Fixture.Source(address: address, port: port)) {
            return Record(header: FuzzedHost.header(kind, source: source), body: packet)
        }
        return Record(header: FuzzedHost.header(kind, source: address.isIPv4 ? 7 : 6),
                      body: address.bytes + [UInt8](bigEndian: port) + packet)
    }

    /// Queues the packets of `actions` (sent by `host`, which holds `addresses`) and notes its inbound SPIs.
    private mutating func perform(_ actions: [Action], from host: HIT, addresses: [IPAddress]) {
        for action in actions {
            switch action {
            case .send(let packet):
                let destination = packet.destination.address
                guard let source = packet.source ?? addresses.first(where: { $0.isIPv4 == destination.isIPv4 }) else { continue }
                var bytes = packet.bytes
                let transport: Transport
                switch packet.destination.transport {
                case .raw:
                    HIPChecksum.fill(&bytes, source: source, destination: destination)
                    transport = .raw
                case .udp:
                    transport = .udp(port: HIPProtocol.udpPort)
                }
                queue.append(Datagram(bytes: bytes, source: Endpoint(address: source, transport: transport),
                                      destination: destination))
            case .installSA(let pair):
                inboundSPIs[host, default: [:]][pair.peerHIT] = pair.inboundSPI
            default:
                break
            }
        }
    }
}

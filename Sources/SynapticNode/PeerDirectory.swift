// PeerDirectory: what the node knows about peers besides the protocol state: names, configured locators,
// the endpoint of their last base exchange, and LSIs (assigned without collisions, stable while in use).
import HIPCore
import HIPCrypto
import HIPWire
import SynapticPlatform

/// The peer table of the control plane. A value type owned by the control thread.
struct PeerDirectory {
    let ownHIT: HIT
    let ownLSI: UInt32
    let udpPort: UInt16
    let rawHIP: Bool
    private(set) var configured: [HIT: NodeConfiguration.Peer] = [:]
    /// Where each peer's last base exchange ran (peers that contacted us need not be configured).
    private var lastEndpoints: [HIT: Endpoint] = [:]
    /// LSIs fixed by configuration; every other peer gets one from the allocator.
    private var fixedLSIs: [HIT: UInt32] = [:]
    private var lsis: LSIAllocator

    init(ownHIT: HIT, peers: [NodeConfiguration.Peer], udpPort: UInt16, rawHIP: Bool) {
        self.ownHIT = ownHIT
        self.udpPort = udpPort
        self.rawHIP = rawHIP
        // The configured LSIs are never handed out; our own LSI is assigned next, so it is the preferred one
        // unless configured for a peer (the allocator only fails when all 2^24 LSIs are taken).
        lsis = LSIAllocator(reserved: Set(peers.compactMap(\.lsi)))
        ownLSI = lsis.assign(ownHIT) ?? LSI.forHIT(ownHIT)
        replacePeers(peers)
    }

    /// Sets the configured peers (LSIs of peers that stay are kept) and returns what changed.
    @discardableResult
    mutating func replacePeers(_ peers: [NodeConfiguration.Peer]) -> PeerChanges {
        let new = Dictionary(peers.map { ($0.hit, $0) }, uniquingKeysWith: { first, _ in first })
        let changes = PeerChanges(
            added: peers.filter { configured[$0.hit] == nil },
            removed: configured.values.filter { new[$0.hit] == nil }.sorted { $0.hit < $1.hit },
            changed: peers.filter { peer in configured[peer.hit].map { $0 != peer } ?? false })
        configured = new
        fixedLSIs = Dictionary(peers.compactMap { peer in peer.lsi.map { (peer.hit, $0) } },
                               uniquingKeysWith: { first, _ in first })
        for peer in peers where peer.lsi == nil { _ = lsis.assign(peer.hit) }
        return changes
    }

    func name(of peer: HIT) -> String? { configured[peer]?.name }

    /// Where to send I1s for `peer`: each configured locator over UDP, then each over raw HIP when enabled;
    /// for a peer that is not configured, the endpoint of its last base exchange.
    func endpoints(for peer: HIT) -> [Endpoint] {
        guard let entry = configured[peer] else { return lastEndpoints[peer].map { [$0] } ?? [] }
        let udp = entry.locators.map { Endpoint(address: $0.address, transport: .udp(port: $0.port)) }
        let raw = rawHIP ? entry.locators.map { Endpoint(address: $0.address, transport: .raw) } : []
        return udp + raw
    }

    /// Where ESP to a peer goes when its base exchange ran with `endpoint`: over UDP the same port; over raw
    /// HIP the port of the configured locator with that address, else our own port (the shared default).
    func espDestination(for peer: HIT, endpoint: Endpoint) -> SocketAddress? {
        guard let address = endpoint.address.inetAddress else { return nil }
        switch endpoint.transport {
        case .udp(let port):
            return SocketAddress(address, port: port)
        case .raw:
            let port = configured[peer]?.locators.first { $0.address == endpoint.address }?.port ?? udpPort
            return SocketAddress(address, port: port)
        }
    }

    /// The peers known at `address`: configured locators and endpoints of past exchanges.
    func peers(at address: IPAddress) -> [HIT] {
        let configuredHere = configured.values.filter { $0.locators.contains { $0.address == address } }.map(\.hit)
        let remembered = lastEndpoints.filter { $0.value.address == address }.map(\.key)
        return Array(Set(configuredHere + remembered)).sorted()
    }

    /// Records the endpoint of a completed base exchange.
    mutating func remember(_ endpoint: Endpoint, for peer: HIT) {
        lastEndpoints[peer] = endpoint
    }

    /// The LSI of `peer`, assigned on first use.
    mutating func lsi(for peer: HIT) -> UInt32? {
        fixedLSIs[peer] ?? lsis.assign(peer)
    }

    /// The LSI of `peer` if it has one.
    func assignedLSI(of peer: HIT) -> UInt32? {
        fixedLSIs[peer] ?? lsis.lsi(for: peer)
    }

    /// LSI → HIT for every peer with an LSI (what the inside path translates).
    var peerLSIs: [UInt32: HIT] {
        var map: [UInt32: HIT] = [:]
        for hit in Set(configured.keys).union(lastEndpoints.keys) {
            if let lsi = assignedLSI(of: hit) { map[lsi] = hit }
        }
        return map
    }
}

/// The difference between two peer lists, for the reload log.
struct PeerChanges: Equatable {
    var added: [NodeConfiguration.Peer]
    var removed: [NodeConfiguration.Peer]
    var changed: [NodeConfiguration.Peer]

    var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

// PeerDirectory: what the node knows about peers besides the protocol state: names, configured locators,
// the endpoint of their last base exchange, and LSIs (assigned without collisions, stable while in use).
//
//   configured peers (start, reload): fixed LSIs kept, new ones reserved unless ours or another peer's
//                                     (refused: the old mapping stays), the others derived from the HIT
//   base exchange completed:          endpoint remembered, LSI assigned (peers need not be configured)
//   association of an unconfigured peer ended (`forget`): its endpoint and LSI are dropped
import HIPCore
import HIPCrypto
import HIPWire
import SynapticPlatform

/// The peer table of the control plane. A value type owned by the control thread.
struct PeerDirectory {
    let ownHIT: HIT
    let ownLSI: UInt32
    let udpPort: UInt16
    /// The families with a raw HIP socket (I1s go over raw IP first to locators of these families).
    let rawFamilies: Set<AddressFamily>
    private(set) var configured: [HIT: NodeConfiguration.Peer] = [:]
    /// Where each peer's last base exchange ran (peers that contacted us need not be configured).
    private var lastEndpoints: [HIT: Endpoint] = [:]
    /// LSIs fixed by configuration; every other peer gets one from the allocator.
    private var fixedLSIs: [HIT: UInt32] = [:]
    private var lsis: LSIAllocator

    init(ownHIT: HIT, peers: [NodeConfiguration.Peer], udpPort: UInt16, rawFamilies: Set<AddressFamily>) {
        self.ownHIT = ownHIT
        self.udpPort = udpPort
        self.rawFamilies = rawFamilies
        // The configured LSIs are never handed out; our own LSI is assigned next, so it is the preferred one
        // unless configured for a peer (the allocator only fails when all 2^24 LSIs are taken).
        lsis = LSIAllocator(reserved: Set(peers.compactMap(\.lsi)))
        ownLSI = lsis.assign(ownHIT) ?? LSI.forHIT(ownHIT)
        replacePeers(peers)
    }

    /// Sets the configured peers and returns what changed. LSIs of peers that stay are kept; a new fixed LSI
    /// is reserved (never handed out to another peer), unless it is ours or another peer's: then it is
    /// refused (in `PeerChanges.refusedLSIs`) and the peer keeps the LSI it had.
    @discardableResult
    mutating func replacePeers(_ peers: [NodeConfiguration.Peer]) -> PeerChanges {
        let new = Dictionary(peers.map { ($0.hit, $0) }, uniquingKeysWith: { first, _ in first })
        var changes = PeerChanges(
            added: peers.filter { configured[$0.hit] == nil },
            removed: configured.values.filter { new[$0.hit] == nil }.sorted { $0.hit < $1.hit },
            changed: peers.filter { peer in configured[peer.hit].map { $0 != peer } ?? false })
        configured = new
        // Fixed LSIs that stay first, then the new ones in configuration order.
        var fixed: [HIT: UInt32] = [:]
        var holders: [UInt32: HIT] = [:]
        for peer in peers {
            guard let lsi = peer.lsi, fixedLSIs[peer.hit] == lsi else { continue }
            fixed[peer.hit] = lsi
            holders[lsi] = peer.hit
        }
        for (index, peer) in peers.enumerated() where new[peer.hit] == peer && fixed[peer.hit] == nil {
            guard let lsi = peer.lsi else { continue }
            let holder: LSIHolder? = lsi == ownLSI ? .ourselves
                : (holders[lsi] ?? lsis.hit(for: lsi)).flatMap { $0 == peer.hit ? nil : .peer($0) }
            if let holder {
                changes.refusedLSIs.append(PeerChanges.RefusedLSI(index: index, peer: peer, lsi: lsi, holder: holder))
                if let old = fixedLSIs[peer.hit], holders[old] == nil {
                    fixed[peer.hit] = old
                    holders[old] = peer.hit
                }
                continue
            }
            lsis.release(peer.hit)
            lsis.reserve(lsi)
            fixed[peer.hit] = lsi
            holders[lsi] = peer.hit
        }
        fixedLSIs = fixed
        for peer in peers where fixed[peer.hit] == nil { _ = lsis.assign(peer.hit) }
        return changes
    }

    func name(of peer: HIT) -> String? { configured[peer]?.name }

    /// Where to send I1s for `peer`: each configured locator over raw HIP (families with a raw socket), then
    /// each over UDP (the core sends over raw HIP first and falls back to UDP); for a peer that is not
    /// configured, the endpoint of its last base exchange.
    func endpoints(for peer: HIT) -> [Endpoint] {
        guard let entry = configured[peer] else { return lastEndpoints[peer].map { [$0] } ?? [] }
        return endpoints(of: entry, raw: true) + endpoints(of: entry, raw: false)
    }

    /// The configured locators of `peer` over the transport `current` uses (UDP with each locator's port, or
    /// raw HIP), for its association's locator set; empty for a peer that is not configured.
    func configuredEndpoints(for peer: HIT, like current: Endpoint) -> [Endpoint] {
        guard let entry = configured[peer] else { return [] }
        return endpoints(of: entry, raw: current.transport == .raw)
    }

    /// A configured peer's locators over UDP (each with its port), or over raw HIP (families with a socket).
    private func endpoints(of entry: NodeConfiguration.Peer, raw: Bool) -> [Endpoint] {
        guard raw else { return entry.locators.map { Endpoint(address: $0.address, transport: .udp(port: $0.port)) } }
        return entry.locators.filter { rawFamilies.contains($0.address.family) }
            .map { Endpoint(address: $0.address, transport: .raw) }
    }

    /// Where ESP to a peer goes when its base exchange ran with `endpoint`: over UDP the same port; over raw
    /// HIP the port of the configured locator with that address, else our own port (the shared default).
    func espDestination(for peer: HIT, endpoint: Endpoint) -> SocketAddress? {
        if let destination = endpoint.udpSocketAddress { return destination }
        guard endpoint.transport == .raw, let address = endpoint.address.inetAddress else { return nil }
        let port = configured[peer]?.locators.first { $0.address == endpoint.address }?.port ?? udpPort
        return SocketAddress(address, port: port)
    }

    /// The peers known at `address`: configured locators and endpoints of past exchanges.
    func peers(at address: IPAddress) -> [HIT] {
        let configuredHere = configured.values.filter { $0.locators.contains { $0.address == address } }.map(\.hit)
        let remembered = lastEndpoints.filter { $0.value.address == address }.map(\.key)
        return Array(Set(configuredHere + remembered)).sorted()
    }

    /// The addresses of each configured peer's locators (for the core's KnownLocators).
    var locatorAddresses: [HIT: [IPAddress]] {
        configured.mapValues { $0.locators.map(\.address) }
    }

    /// The addresses of every configured locator and every remembered endpoint (those `peers(at:)` knows).
    var peerAddresses: Set<InetAddress> {
        let configuredAddresses = configured.values.flatMap { $0.locators.map(\.address) }
        return Set((configuredAddresses + lastEndpoints.values.map(\.address)).compactMap(\.inetAddress))
    }

    /// Records the endpoint of a completed base exchange.
    mutating func remember(_ endpoint: Endpoint, for peer: HIT) {
        lastEndpoints[peer] = endpoint
    }

    /// The association with `peer` ended: unless it is configured, its endpoint and LSI are dropped (what we
    /// knew came from that association). Returns whether an LSI was released (`peerLSIs` changed).
    mutating func forget(_ peer: HIT) -> Bool {
        guard configured[peer] == nil else { return false }
        lastEndpoints[peer] = nil
        guard lsis.lsi(for: peer) != nil else { return false }
        lsis.release(peer)
        return true
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

/// Who already has an LSI.
enum LSIHolder: Equatable {
    case ourselves
    case peer(HIT)
}

/// The difference between two peer lists, for the reload log.
struct PeerChanges: Equatable {
    /// A fixed LSI that was not applied: `peers[index].lsi` is already `holder`'s.
    struct RefusedLSI: Equatable {
        var index: Int
        var peer: NodeConfiguration.Peer
        var lsi: UInt32
        var holder: LSIHolder
    }

    var added: [NodeConfiguration.Peer]
    var removed: [NodeConfiguration.Peer]
    var changed: [NodeConfiguration.Peer]
    var refusedLSIs: [RefusedLSI] = []

    var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }
}

// HIPHost: a HIP host without I/O: our identity, the Responder's R1 pool, and the associations by peer HIT;
// it turns events into actions (RFC 7401 §4.4, §6).
//
// Stages of `handle`:
//   event → (packet: checksum → parse → receiver/sender HIT checks (another receiver: forwarded for a
//            registered client, HIPHost+Relay) → RELAY_FROM/FROM checked → by type: I1 and I2 here, NOTIFY
//            here, the rest to the peer's association) | (outbound data or a restart → new association,
//            within `maximumAssociations`) | (timer → R1 pool rotation and association deadlines)
//            | (close, ESP seen, address change, configured locators, traffic, rekey request → association)
//   → follow-ups: PEER_PERMISSION to a relay for peers reached through it, candidates for relayed peers
//   → our packets to relayed peers wrapped with RELAY_TO → counters updated, sends noted for the NAT
//   keepalive and SPIs released from the actions → `.wake(at:)` appended when the next deadline changed.
import HIPCrypto
import HIPWire

/// One HIP host: call `handle(_:now:)` with every event and perform the returned actions in order.
///
/// Concurrency: a value type with no I/O and no clock. The shell owns one instance and calls `handle` from
/// one thread or task at a time (it is Sendable, so it can move between them). Its injected services
/// (`RandomSource`, `SPIAllocator`, `PeerPolicy`) are called synchronously from inside `handle`.
/// Errors: only `init` throws (`HIPCoreError`); packets that cannot be accepted are dropped, counted in
/// `counters` and reported as `Report.rejected` with a `RejectReason`.
public struct HIPHost: Sendable {
    let local: LocalHost
    var pool: R1Pool
    var associations: [HIT: Association] = [:]
    public internal(set) var counters = Counters()
    var notifyLimiter: RateLimiter
    var notifyReportLimiter: RateLimiter
    var r1SourceLimiter: SourceRateLimiter
    var r1Limiter: RateLimiter
    /// Where each peer HIT is known to be, and the R1 rate of I1s from those addresses.
    var knownLocators = KnownLocators()
    var knownR1Limiter: SourceRateLimiter
    /// Until when R1s to other addresses carry the flood puzzle (I1s were refused for the total rate).
    var i1FloodUntil: Instant?
    /// R2s sent again for duplicate I2s, per source and in total.
    var duplicateI2SourceLimiter: SourceRateLimiter
    var duplicateI2Limiter: RateLimiter
    /// Packets a rendezvous server or relay forwards, per source address.
    var relaySourceLimiter: SourceRateLimiter
    /// Our addresses, as the last `.localAddressesChanged` gave them (host candidates).
    var localAddresses: [IPAddress] = []
    var requestedWake: Instant?

    /// A host for `identity`. Prepares the first R1 generation (one DH key pair and one signature per DH
    /// group in `settings`), which for MODP groups takes some milliseconds.
    /// - Parameters:
    ///   - random: randomness for puzzle secrets, #J, nonces (tests pass a seeded source).
    ///   - spis: our inbound SPI allocator (default: random SPIs from `random`).
    ///   - policy: which peer HITs may associate.
    /// Throws `HIPCoreError` for invalid settings or a crypto failure while preparing R1s.
    public init(identity: HostIdentity, settings: HostSettings = HostSettings(),
                random: any RandomSource = SystemRandomSource(), spis: (any SPIAllocator)? = nil,
                policy: any PeerPolicy, now: Instant) throws(HIPCoreError) {
        if let problem = settings.validationError() { throw .invalidSettings(problem) }
        guard settings.hitSuites.contains(identity.publicIdentity.hitSuite) else {
            throw .invalidSettings("hitSuites does not contain our own HIT suite")
        }
        local = LocalHost(identity: identity, settings: settings, random: random,
                          spis: spis ?? RandomSPIAllocator(random: random), policy: policy)
        do {
            pool = try R1Pool(local: local, now: now)
        } catch {
            throw .crypto(error)
        }
        notifyLimiter = RateLimiter(ratePerSecond: settings.notifyRatePerSecond, now: now)
        notifyReportLimiter = RateLimiter(ratePerSecond: settings.notifyReportRatePerSecond, now: now)
        r1SourceLimiter = SourceRateLimiter(ratePerSecond: settings.r1RatePerSourcePerSecond, random: random, now: now)
        r1Limiter = RateLimiter(ratePerSecond: settings.r1RatePerSecond, now: now)
        knownR1Limiter = SourceRateLimiter(ratePerSecond: settings.r1RatePerSourcePerSecond, random: random, now: now)
        duplicateI2SourceLimiter = SourceRateLimiter(ratePerSecond: settings.duplicateI2RatePerSourcePerSecond,
                                                     random: random, now: now)
        duplicateI2Limiter = RateLimiter(ratePerSecond: settings.duplicateI2RatePerSecond, now: now)
        relaySourceLimiter = SourceRateLimiter(ratePerSecond: settings.relayRatePerSourcePerSecond, random: random, now: now)
    }

    /// Our HIT.
    public var localHIT: HIT { local.hit }
    /// The settings in use.
    public var settings: HostSettings { local.settings }
    /// The current R1 generation counter (R1_COUNTER).
    public var r1Generation: UInt64 { pool.current.counter }
    /// The puzzle difficulty #K of the current R1 generation (raised while solved I2s keep failing).
    public var puzzleDifficulty: UInt8 { pool.current.k }

    /// A copy of the association with `peer`, if any (UNASSOCIATED otherwise).
    public func association(for peer: HIT) -> Association? { associations[peer] }
    /// Copies of all associations.
    public var allAssociations: [Association] { Array(associations.values) }

    /// The registrations of clients with us (a registrar's view).
    public var registrations: [RegistrationStatus] { associations.values.compactMap(\.servedRegistration) }

    /// The server (a HIT of `HostSettings.registrations`) whose relay our packets to `peer` go through now,
    /// or nil when they go to the peer directly.
    public func relay(for peer: HIT) -> HIT? {
        guard let session = associations[peer]?.session else { return nil }
        if let relay = session.relay, session.peerEndpoint == relay.serverEndpoint { return relay.server }
        return local.settings.registrations.keys.first { server in
            server != peer && associations[server]?.session?.peerEndpoint == session.peerEndpoint
        }
    }

    /// Processes one event at `now` and returns what to do, in order.
    public mutating func handle(_ event: Event, now: Instant) -> [Action] {
        var actions: [Action]
        switch event {
        case .packet(let bytes, let source, let destination):
            actions = receive(bytes, source: source, destination: destination, now: now)
        case .outboundData(let peer, let endpoints):
            actions = startExchange(with: peer, endpoints: endpoints, now: now)
        case .restartExchange(let peer, let endpoints):
            actions = startExchange(with: peer, endpoints: endpoints, replacing: true, now: now)
        case .espReceived(let peer, let spi, let source):
            actions = route(.esp(spi: spi, source: source), to: peer, now: now)
        case .timer:
            actions = timers(now: now)
        case .localAddressesChanged(let addresses):
            localAddresses = addresses
            actions = associations.keys.flatMap { route(.addressesChanged(addresses), to: $0, now: now) }
        case .peerLocators(let peer, let endpoints):
            actions = route(.peerLocators(endpoints), to: peer, now: now)
        case .configuredLocators(let locators):
            knownLocators.configure(locators)
            actions = []
        case .rekey(let peer):
            actions = route(.rekey, to: peer, now: now)
        case .trafficCounts(let counts):
            actions = counts.flatMap { route(.traffic($0.value), to: $0.key, now: now) }
        case .close(let peer):
            actions = route(.closeRequest, to: peer, now: now)
        }
        actions = permitRelayedESP(after: actions, now: now) + actions
        actions += announceCandidates(after: actions, now: now)
        return finish(wrapRelayed(actions), now: now, forceWake: { if case .timer = event { true } else { false } }())
    }

    /// Routes an input to the association with `peer` and drops the association if it became UNASSOCIATED.
    /// An ESTABLISHED association's peer address becomes known for the peer (KnownLocators).
    mutating func route(_ input: Association.Input, to peer: HIT, now: Instant) -> [Action] {
        guard var association = associations[peer] else { return [] }
        let actions = association.handle(input, now: now)
        associations[peer] = association.isUnassociated ? nil : association
        if case .established = association.state, let address = association.peerEndpoint?.address {
            knownLocators.learn(address, for: peer)
        }
        return actions
    }

    /// A new base exchange with `peer`, unless one runs or (without `replacing`) the association is up.
    private mutating func startExchange(with peer: HIT, endpoints: [Endpoint], replacing: Bool = false,
                                        now: Instant) -> [Action] {
        guard peer != local.hit, !endpoints.isEmpty else { return [] }
        guard local.policy.allows(peer) else { return [.report(.failed(peer: peer, reason: .blockedByPolicy))] }
        guard !associationLimitReached(for: peer) else { return [.report(.failed(peer: peer, reason: .associationLimit))] }
        var actions: [Action] = []
        if var existing = associations[peer] {
            switch existing.state {
            case .established where replacing:
                actions += existing.teardown() + [.report(.closed(peer: peer))]
            case .i1Sent, .i2Sent, .r2Sent, .established:
                return []
            case .failed:
                counters.outboundDuringHoldDown += 1
                return []
            case .closing, .closed:
                // A new incarnation (RFC 7401 §6.14).
                actions += existing.teardown()
            }
        }
        let (association, sends) = Association.initiate(local: local, peer: peer, endpoints: endpoints, now: now)
        associations[peer] = association
        return actions + sends
    }

    /// Whether a new association with `peer` would exceed `HostSettings.maximumAssociations` (an existing
    /// one may be replaced). Counts the limited peers only when the table holds that many associations.
    func associationLimitReached(for peer: HIT) -> Bool {
        let (maximum, policy) = (local.settings.maximumAssociations, local.policy)
        guard associations[peer] == nil, associations.count >= maximum, policy.isLimited(peer) else { return false }
        return associations.keys.count(where: policy.isLimited) >= maximum
    }

    private mutating func timers(now: Instant) -> [Action] {
        var actions: [Action] = []
        if now >= pool.rotatesAt { rotatePuzzle(now: now) }
        for (peer, association) in associations {
            if let deadline = association.deadline, deadline <= now {
                actions += route(.timer, to: peer, now: now)
            }
        }
        return actions
    }

    /// A new R1 generation (new puzzle secret, R1_COUNTER + 1, new DH keys, #K as failed I2s call for).
    /// On a crypto failure the current generation stays in use until the next period.
    mutating func rotatePuzzle(now: Instant) {
        let k = pool.current.k
        do {
            try pool.rotate(local: local, now: now)
            counters.puzzleRotations += 1
            if pool.current.k > k { counters.puzzleDifficultyRaises += 1 }
        } catch {
            pool.postpone(now: now, by: local.settings.puzzleSecretLifetime)
        }
    }

    /// Updates the counters from the actions and appends `.wake(at:)` when the next deadline changed.
    /// A send to a peer's current locator postpones its NAT keepalive.
    private mutating func finish(_ actions: [Action], now: Instant, forceWake: Bool) -> [Action] {
        for action in actions {
            switch action {
            case .send(let packet):
                if packet.isForwarded {
                    counters.relayedHIP += 1
                } else {
                    counters.countSent(packet.type)
                    if packet.isRetransmission { counters.retransmissions += 1 }
                }
                if let peer = packet.peer { associations[peer]?.sent(to: packet.destination, now: now) }
            case .report(.rejected(let rejection)):
                counters.countRejected(rejection.reason)
            case .report(.established):
                counters.associationsEstablished += 1
            case .report(.failed):
                counters.associationsFailed += 1
            case .report(.closed):
                counters.associationsClosed += 1
            case .report(.replaced):
                counters.associationsReplaced += 1
            case .report(.moved):
                counters.moves += 1
            case .report(.rekeyed):
                counters.rekeys += 1
            case .report(.updateUnanswered):
                counters.updatesUnanswered += 1
            case .releaseSPI(let spi):
                local.spis.release(spi)
            case .report(.unused):
                counters.associationsUnused += 1
            case .report(.notified), .report(.registered), .report(.registrationRefused), .report(.registrationExpired),
                 .report(.clientRegistered), .report(.directPath), .report(.noDirectPath),
                 .report(.directPathLost), .installSA, .installInboundSA, .installOutboundSA, .retireInboundSA, .moveSA,
                 .removeSA, .relayRoutes, .wake:
                break
            }
        }
        let next = associations.values.reduce(pool.rotatesAt) { earliest, association in
            association.deadline.map { min($0, earliest) } ?? earliest
        }
        guard forceWake || next != requestedWake else { return actions }
        requestedWake = next
        return actions + [.wake(at: next)]
    }
}

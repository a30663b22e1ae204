// Association: the HIP association with one peer, the RFC 7401 §4.4 state machine as a value type.
//
// Phases (RFC 7401 §4.4.2) and what each holds:
//   I1-SENT      the attempt (I1 bytes, peer endpoints, start time) + I1 retransmission timer (which also
//                counts the transmissions, and so picks the transport: raw HIP first, then UDP)
//   I2-SENT      the attempt + keys, peer identity, our inbound SPI, I2 bytes + I2 retransmission timer
//   R2-SENT      the session (keys, SPIs, peer identity, cached I2/R2) + Exchange Complete deadline
//   ESTABLISHED  the session + deadlines: UPDATE retransmission, drains of replaced inbound SAs, rekey by
//                age, unused association lifetime, NAT keepalive, registration renewal and expiry,
//                connectivity checks, the fallback of a silent direct path to the relay
//   CLOSING      the session + CLOSE bytes, nonce, retransmission timer, give-up deadline
//   CLOSED       the session + cached CLOSE/CLOSE_ACK, linger deadline
//   E-FAILED     hold-down deadline
//   (removed)    UNASSOCIATED: the host drops the association from its table.
// Packet processing: Association+Initiator (R1, R2), Association+Responder (from a verified I2),
// Association+Close (CLOSE, CLOSE_ACK), Association+Update (UPDATE: mobility, locator verification,
// rekeying, NAT keepalive), Association+Registration (RFC 8003, relay permissions), Association+Candidates
// (relayed to direct), Association+Timers (timeouts, traffic, address changes).
import HIPCrypto
import HIPWire

/// The association with one peer. Owned by a `HIPHost`, which routes events to it; read a copy with
/// `HIPHost.association(for:)` for status. A value type (the shared parts are immutable references).
public struct Association: Sendable {
    let local: LocalHost
    public let peerHIT: HIT
    var phase: Phase

    /// What the host routes to an association.
    enum Input: Sendable {
        case r1(ReceivedPacket)
        case r2(ReceivedPacket)
        case close(ReceivedPacket)
        case closeAck(ReceivedPacket)
        case update(ReceivedPacket)
        case timer
        case esp(spi: UInt32, source: Endpoint)
        case closeRequest
        case addressesChanged([IPAddress])
        case peerLocators([Endpoint])
        case traffic(TrafficCount)
        /// A verified HIP packet that carries nothing for the state machine (a NAT keepalive) came from there.
        case authenticated(source: Endpoint)
        /// PEER_PERMISSION for this server's Data Relay (we reached a peer through it).
        case permit(PeerPermission)
        /// Our candidates for a direct path (the path goes through a relay).
        case candidates([Locator])
        case rekey
    }

    enum Phase: Sendable {
        case i1Sent(Attempt, Retransmission)
        case i2Sent(PendingI2)
        case r2Sent(Session, completeAt: Instant)
        case established(Session)
        case closing(Session, Closing)
        case closed(Session, Closed)
        case failed(until: Instant)
        case unassociated
    }

    /// The Initiator's attempt: where the I1 goes (the order per transmission is in Association+Initiator)
    /// and since when.
    struct Attempt: Sendable {
        let endpoints: [Endpoint]
        let startedAt: Instant
        let i1: [UInt8]

        /// Whether `address` is one our I1 goes to (an R1 must come from one of them).
        func sendsI1(to address: IPAddress) -> Bool {
            let mapped = address.v4Mapped
            return endpoints.contains { $0.address.v4Mapped == mapped }
        }
    }

    /// I2-SENT: everything derived from the R1 we answered.
    struct PendingI2: Sendable {
        let attempt: Attempt
        /// The R1 we answered (its copies are duplicates, not rejections).
        let r1: HIPPacket
        let r1Counter: UInt64?
        let i2: [UInt8]
        let destination: Endpoint
        let source: IPAddress
        let peerIdentity: PublicHostIdentity
        let peerHostIDTLV: [UInt8]
        let keys: SessionKeys
        let group: DHGroup
        let inboundSPI: UInt32
        var retransmission: Retransmission
        /// How the R1 answered came (raw HIP, or UDP and whether as the fallback).
        let transport: ExchangeTransport
    }

    /// An association with keys and SAs (R2-SENT and later): the peer's locators, our SA generations,
    /// and the UPDATE and rekey state.
    struct Session: Sendable {
        /// An inbound SA a rekey replaced: it opens packets until `until`.
        struct Draining: Sendable {
            let spi: UInt32
            var until: Instant
        }

        let role: Role
        let peerIdentity: PublicHostIdentity
        /// The HIP keys (never redrawn) and the base exchange's ESP keys.
        let keys: SessionKeys
        let group: DHGroup
        /// Our current inbound SPI and the peer's (our outbound SPI).
        var inboundSPI: UInt32
        var outboundSPI: UInt32
        /// Older inbound SAs still installed.
        var draining: [Draining] = []
        /// Where the peer is; `locators.current` carries ESP.
        var locators: PeerLocatorSet
        /// The local address we send from, when known (nil after it went away: the shell chooses).
        var localAddress: IPAddress?
        /// Our addresses as last announced to the peer (empty before the first announcement).
        var announced: [IPAddress] = []
        /// The Responder's last accepted I2 and its R2, to answer retransmissions (RFC 7401 §6.9 step 4).
        var cachedI2: HIPPacket?
        var cachedR2: [UInt8]?
        /// Whether the SAs are installed (removed on CLOSE).
        var saInstalled: Bool
        var update = UpdateState()
        var rekey: Rekey?
        /// When the SA pair gets old enough for a rekey (`HostSettings.rekeyInterval`).
        var rekeyAt: Instant?
        /// KEYMAT after the last ESP keys drawn (replaced by each rekey with a new Diffie-Hellman).
        var keymat: Keymat
        /// When traffic or an UPDATE last showed the association in use, and the packet count seen then.
        var lastActivity: Instant
        var packets: UInt64 = 0
        /// When we last sent on the current path (HIP, or ESP as the data plane's sent count shows), and that
        /// count: the NAT keepalive is due `HostSettings.natKeepaliveInterval` after it.
        var lastSent: Instant
        var sentPackets: UInt64 = 0
        /// Our packets go through this Control Relay (we were reached through it).
        var relay: RelayPath?
        /// Our registration with this peer as a server (client side, RFC 8003).
        var registration: ClientRegistration?
        /// The peer's registration with us (server side).
        var served: ServedRegistration?
        /// Checks to the peer's candidates while the path goes through a relay.
        var checks = ConnectivityChecks()
        /// The relay's endpoint, when the association came up through one (a move elsewhere is a direct path).
        var relayEndpoint: Endpoint?
        /// When the peer was last heard (ESP counted or reported, a verified UPDATE or keepalive): on a direct
        /// path silent for long, traffic goes back through the relay.
        var lastReceived: Instant
        /// How the base exchange ran: the transport of the peer's packets at the start, which the Initiator
        /// refines (UDP as the fallback of unanswered raw HIP).
        var exchangeTransport: ExchangeTransport

        init(role: Role, peerIdentity: PublicHostIdentity, keys: SessionKeys, group: DHGroup, inboundSPI: UInt32,
             outboundSPI: UInt32, peerEndpoint: Endpoint, localAddress: IPAddress?, cachedI2: HIPPacket?,
             cachedR2: [UInt8]?, rekeyAt: Instant?, now: Instant) {
            self.role = role
            self.peerIdentity = peerIdentity
            self.keys = keys
            self.group = group
            self.inboundSPI = inboundSPI
            self.outboundSPI = outboundSPI
            locators = PeerLocatorSet(established: peerEndpoint)
            self.localAddress = localAddress
            self.cachedI2 = cachedI2
            self.cachedR2 = cachedR2
            saInstalled = true
            self.rekeyAt = rekeyAt
            keymat = keys.keymat
            lastActivity = now
            lastSent = now
            lastReceived = now
            exchangeTransport = peerEndpoint.transport == .raw ? .raw : .udp
        }

        /// Where ESP goes.
        var peerEndpoint: Endpoint { locators.current }

        /// Whether a registration granted either way lives on this association (exempt from the UAL).
        var carriesRegistration: Bool { registration?.granted.isEmpty == false || served != nil }
    }

    struct Closing: Sendable {
        let nonce: [UInt8]
        let close: [UInt8]
        var retransmission: Retransmission
        let giveUpAt: Instant
    }

    struct Closed: Sendable {
        /// The CLOSE we answered and our CLOSE_ACK (resent for a retransmitted CLOSE).
        let answeredClose: HIPPacket?
        let closeAck: [UInt8]?
        /// Our own CLOSE nonce when we were closing too (a CLOSE_ACK may still arrive).
        let nonce: [UInt8]?
        let until: Instant
    }

    init(local: LocalHost, peerHIT: HIT, phase: Phase) {
        self.local = local
        self.peerHIT = peerHIT
        self.phase = phase
    }

    /// Routes one input; returns the actions in order.
    mutating func handle(_ input: Input, now: Instant) -> [Action] {
        switch input {
        case .r1(let packet): receiveR1(packet, now: now)
        case .r2(let packet): receiveR2(packet, now: now)
        case .close(let packet): receiveClose(packet, now: now)
        case .closeAck(let packet): receiveCloseAck(packet, now: now)
        case .update(let packet): receiveUpdate(packet, now: now)
        case .timer: timerFired(now: now)
        case .esp(let spi, let source): espReceived(spi: spi, source: source, now: now)
        case .closeRequest: closeRequested(now: now)
        case .addressesChanged(let addresses): addressesChanged(addresses, now: now)
        case .peerLocators(let endpoints): configuredLocators(endpoints, now: now)
        case .traffic(let count): trafficCounted(count, now: now)
        case .authenticated(let source): authenticatedPacket(from: source, now: now)
        case .permit(let permission): permit(permission, now: now)
        case .candidates(let locators): announceCandidates(locators, now: now)
        case .rekey: rekeyRequested(now: now)
        }
    }

    /// Leaves the association for good (replaced by a new one): removes installed SAs, releases our SPI.
    mutating func teardown() -> [Action] {
        var actions: [Action] = []
        switch phase {
        case .i2Sent(let pending):
            actions.append(.releaseSPI(pending.inboundSPI))
        case .r2Sent(let session, _), .established(let session), .closing(let session, _), .closed(let session, _):
            actions += removeSA(session)
        case .i1Sent, .failed, .unassociated:
            break
        }
        phase = .unassociated
        return actions
    }

    /// The removal of every SA a session has installed (current pair, draining inbound SAs, a rekey's new
    /// ones), each of our SPIs released, and of a relay client's Data Relay routes.
    func removeSA(_ session: Session) -> [Action] {
        guard session.saInstalled else { return [] }
        var actions: [Action] = [.removeSA(peer: peerHIT, inboundSPI: session.inboundSPI, outboundSPI: session.outboundSPI),
                                 .releaseSPI(session.inboundSPI)]
        // A relay client's association ends: so do its Data Relay routes.
        if session.served?.permissions.isEmpty == false { actions.append(.relayRoutes(client: peerHIT, routes: [])) }
        for old in session.draining {
            actions += [.retireInboundSA(peer: peerHIT, spi: old.spi), .releaseSPI(old.spi)]
        }
        if let rekey = session.rekey {
            if rekey.inboundInstalled { actions.append(.retireInboundSA(peer: peerHIT, spi: rekey.inboundSPI)) }
            actions.append(.releaseSPI(rekey.inboundSPI))
        }
        return actions
    }

    /// A `.send` action.
    func send(_ bytes: [UInt8], _ type: PacketType, to destination: Endpoint, from source: IPAddress?,
              retransmission: Bool = false) -> Action {
        .send(OutboundPacket(bytes: bytes, type: type, destination: destination, source: source, peer: peerHIT,
                             isRetransmission: retransmission))
    }

    var isUnassociated: Bool {
        if case .unassociated = phase { return true }
        return false
    }

    var session: Session? {
        switch phase {
        case .r2Sent(let session, _), .established(let session), .closing(let session, _), .closed(let session, _):
            session
        default:
            nil
        }
    }
}

// MARK: - Read-only view for status

extension Association {
    public var state: AssociationState {
        switch phase {
        case .i1Sent: .i1Sent
        case .i2Sent: .i2Sent
        case .r2Sent: .r2Sent
        case .established: .established
        case .closing: .closing
        case .closed, .unassociated: .closed
        case .failed: .failed
        }
    }

    /// How the base exchange reaches the peer: in I1-SENT how the last I1 went, then how the exchange ran.
    public var exchangeTransport: ExchangeTransport? {
        switch phase {
        case .i1Sent(let attempt, let retransmission): attempt.transport(ofTransmission: retransmission.attempt)
        case .i2Sent(let pending): pending.transport
        default: session?.exchangeTransport
        }
    }

    /// Our role, once keys exist.
    public var role: Role? {
        if case .i2Sent = phase { return .initiator }
        return session?.role
    }

    /// The peer's locators: address and transport, state, and whether ESP goes there.
    public var peerLocators: [LocatorStatus] {
        guard let locators = session?.locators else { return [] }
        return locators.entries.map {
            LocatorStatus(endpoint: $0.endpoint, state: $0.state.description, carriesTraffic: $0.endpoint == locators.current)
        }
    }

    /// Whether a rekey is in progress.
    public var isRekeying: Bool { session?.rekey != nil }

    /// Our inbound SPI (chosen by us), once allocated.
    public var inboundSPI: UInt32? {
        if case .i2Sent(let pending) = phase { return pending.inboundSPI }
        return session?.inboundSPI
    }

    /// The peer's inbound SPI (our outbound), once known.
    public var outboundSPI: UInt32? { session?.outboundSPI }
    public var espSuite: ESPSuiteID? { session?.keys.suite }
    public var hipCipher: HIPCipherID? { session?.keys.cipher }
    public var dhGroup: DHGroup? { session?.group }
    /// Where the peer's packets come from (and ESP goes).
    public var peerEndpoint: Endpoint? { session?.peerEndpoint }
    /// Our registration with this peer as a server (client side), once requested.
    public var registration: RegistrationStatus? {
        guard let registration = session?.registration else { return nil }
        return RegistrationStatus(peer: peerHIT, types: registration.granted, expiresAt: registration.expiresAt,
                                  address: registration.reflexive, routes: 0)
    }

    /// The peer's registration with us (server side).
    public var servedRegistration: RegistrationStatus? {
        guard let session, let served = session.served else { return nil }
        return RegistrationStatus(peer: peerHIT, types: served.types, expiresAt: served.lastExpiry,
                                  address: session.peerEndpoint, routes: served.permissions.count)
    }

    /// The peer's verified host identity.
    public var peerIdentity: PublicHostIdentity? {
        if case .i2Sent(let pending) = phase { return pending.peerIdentity }
        return session?.peerIdentity
    }
}

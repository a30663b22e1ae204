// HIPHost+Relay: HIP packets through a rendezvous server (RFC 8004) or a Control Relay (RFC 9028 §4.12), on
// both ends: the server forwards, the registered client unwraps what it receives and wraps what it sends.
//
// Server (a packet whose Receiver's HIT is not ours):
//   from a registered relay client with RELAY_TO → RELAY_HMAC (client's key) → RELAY_TO and what follows cut
//     off → sent to the RELAY_TO address
//   to a registered client → per source rate limit → no forwarding parameters (or any that would follow
//   ours) already there →
//     relay client over UDP: + RELAY_FROM (source address and port) + RELAY_HMAC → to the client
//     rendezvous client, I1 only: + FROM (source address) + RVS_HMAC → to the client
//   else NOT_REGISTERED (dropped, counted)
// Client (a packet for us with RELAY_FROM, FROM or RVS_HMAC):
//   the server is one we registered with for that service, at the packet's source → its HMAC with our
//   registration's key → `Via` (the original sender), else dropped (RELAY_HMAC failed)
// Client, sending: a packet of an association reached through a relay, going to that relay →
//   + RELAY_TO (the peer as the relay sees it) + RELAY_HMAC.
// Both HMACs cover the packet up to themselves, keyed with the registration association's HIP integrity key
// of the sending side (RFC 8004 §4.2.1; RFC 9028 §5.10); on receipt either direction's key is accepted (the
// RFCs do not say which, and HIPL uses the client's both ways).
import HIPCrypto
import HIPWire

extension HIPHost {
    // MARK: - Server

    /// A packet for another HIT: forwarded for a registered client, else dropped.
    mutating func forward(_ received: ReceivedPacket, now: Instant) -> [Action] {
        let packet = received.packet
        if packet.relayTo != nil { return forwardAnswer(received, now: now) }
        guard let (session, served) = registration(of: packet.receiverHIT, now: now) else {
            return [received.reject(unserved)]
        }
        guard relaySourceLimiter.allow(received.source.address, now: now) else { return [received.reject(.rateLimited)] }
        // What we append must come last (parameters ascend by type); relay parameters are ours to add.
        guard !packet.hasForwardingParameters, packet.parameters.last.map({ $0.type < ParameterType.relayFrom }) ?? true else {
            return [received.reject(.invalidParameter)]
        }
        let client = session.peerEndpoint
        let wrapped: [UInt8]?
        if served.grants(RegistrationType.relayUDPHIP, at: now), case .udp(let port) = received.source.transport,
           case .udp = client.transport {
            let from = TransportAddress(port: port, address: received.source.address.v4Mapped)
            wrapped = Self.appending(.relayFrom(from), hmac: ParameterType.relayHMAC, session: session, to: received.bytes)
        } else if served.grants(RegistrationType.rendezvous, at: now), packet.type == .i1 {
            wrapped = Self.appending(.from(received.source.address.v4Mapped), hmac: ParameterType.rvsHMAC, session: session,
                                     to: received.bytes)
        } else {
            return [received.reject(.notRegistered)]
        }
        guard let bytes = wrapped else { return [received.reject(.malformed)] }
        return [.send(OutboundPacket(bytes: bytes, type: packet.type, destination: client, source: nil,
                                     peer: packet.receiverHIT, isRetransmission: false, isForwarded: true))]
    }

    /// A registered relay client's packet for another host (RELAY_TO): checked and sent on without the relay
    /// parameters.
    private mutating func forwardAnswer(_ received: ReceivedPacket, now: Instant) -> [Action] {
        let packet = received.packet
        guard let (session, served) = registration(of: packet.senderHIT, now: now),
              served.grants(RegistrationType.relayUDPHIP, at: now) else {
            return [received.reject(unserved)]
        }
        guard let mac = packet.relayHMAC,
              Self.verifyHMAC(mac, of: received.bytes, before: ParameterType.relayHMAC, session: session) else {
            return [received.reject(.relayHMACFailed)]
        }
        guard let relayTo = packet.relayTo, relayTo.proto == HIPProtocol.udpProtocol,
              let address = IPAddress(mappedBytes: relayTo.address),
              let bytes = try? coveredRegion(of: received.bytes, before: ParameterType.relayTo, rule: .mac) else {
            return [received.reject(.invalidParameter)]
        }
        let destination = Endpoint(address: address, transport: .udp(port: relayTo.port))
        return [.send(OutboundPacket(bytes: bytes, type: packet.type, destination: destination, source: nil,
                                     peer: packet.receiverHIT, isRetransmission: false, isForwarded: true))]
    }

    /// Why a packet for another host is dropped: we serve nobody, or not that host.
    private var unserved: RejectReason { local.settings.registrar == nil ? .notForUs : .notRegistered }

    /// A client's live registration with us: its association is up (R2-SENT or ESTABLISHED) and the
    /// registration has not expired.
    private func registration(of client: HIT, now: Instant) -> (Association.Session, ServedRegistration)? {
        guard let association = associations[client], [.r2Sent, .established].contains(association.state),
              let session = association.session, let served = session.served, !served.types.isEmpty else { return nil }
        return (session, served)
    }

    // MARK: - Client

    /// The server a packet with RELAY_FROM or FROM came through, once its HMAC verified; nil for a packet
    /// without them. `.failure` drops the packet (RFC 8004 §5.2: a FROM whose RVS_HMAC fails).
    func arrivedVia(_ received: ReceivedPacket) -> Result<Via?, RejectReason> {
        let packet = received.packet
        if let relayFrom = packet.relayFrom {
            guard let mac = packet.relayHMAC,
                  let (server, session) = registration(granting: RegistrationType.relayUDPHIP, at: { $0 == received.source }),
                  Self.verifyHMAC(mac, of: received.bytes, before: ParameterType.relayHMAC, session: session) else {
                return .failure(.relayHMACFailed)
            }
            guard relayFrom.proto == HIPProtocol.udpProtocol, let address = IPAddress(mappedBytes: relayFrom.address) else {
                return .failure(.invalidParameter)
            }
            return .success(Via(service: .relay, server: server, serverEndpoint: received.source,
                                origin: Endpoint(address: address, transport: .udp(port: relayFrom.port))))
        }
        if packet.from != nil || packet.rvsHMAC != nil {
            // RFC 8004 §4.3.2: any RVS_HMAC present is checked; FROM needs one.
            guard let mac = packet.rvsHMAC, let from = packet.from,
                  let (server, session) = registration(granting: RegistrationType.rendezvous,
                                                       at: { $0.address == received.source.address }),
                  Self.verifyHMAC(mac, of: received.bytes, before: ParameterType.rvsHMAC, session: session) else {
                return .failure(.relayHMACFailed)
            }
            guard packet.type == .i1, let address = IPAddress(mappedBytes: from) else { return .failure(.invalidParameter) }
            let transport: Transport = if case .raw = received.source.transport { .raw } else { .udp(port: HIPProtocol.udpPort) }
            return .success(Via(service: .rendezvous, server: server, serverEndpoint: received.source,
                                origin: Endpoint(address: address, transport: transport)))
        }
        return .success(nil)
    }

    /// A server we hold a registration of `type` with, whose current locator `matches`.
    private func registration(granting type: UInt8, at matches: (Endpoint) -> Bool) -> (HIT, Association.Session)? {
        for server in local.settings.registrations.keys {
            guard let session = associations[server]?.session, session.registration?.grants(type) == true,
                  matches(session.peerEndpoint) else { continue }
            return (server, session)
        }
        return nil
    }

    /// Our packets to peers reached through a relay, when they go to that relay: + RELAY_TO + RELAY_HMAC.
    func wrapRelayed(_ actions: [Action]) -> [Action] {
        actions.map { action in
            guard case .send(var packet) = action, !packet.isForwarded, let peer = packet.peer,
                  let relay = associations[peer]?.session?.relay, packet.destination == relay.serverEndpoint,
                  let server = associations[relay.server]?.session, case .udp(let port) = relay.peer.transport else {
                return action
            }
            let to = TransportAddress(port: port, address: relay.peer.address.v4Mapped)
            guard let bytes = Self.appending(.relayTo(to), hmac: ParameterType.relayHMAC, session: server,
                                             to: packet.bytes) else { return action }
            packet.bytes = bytes
            return .send(packet)
        }
    }

    // MARK: - Bytes

    /// `bytes` (a serialized packet) with `parameter` appended after its last TLV, Header Length updated and
    /// the checksum zeroed (the shell fills it for raw IP); nil beyond the largest HIP packet.
    static func appending(_ parameter: HIPParameter, to bytes: [UInt8]) -> [UInt8]? {
        let result = bytes + parameter.encodedTLV
        guard result.count <= HIPProtocol.maximumPacketLength else { return nil }
        var patched = result
        patched[1] = UInt8(result.count / 8 - 1)
        patched[4] = 0
        patched[5] = 0
        return patched
    }

    /// `bytes` with a server parameter (FROM, RELAY_FROM, RELAY_TO) and then its HMAC (RVS_HMAC, RELAY_HMAC)
    /// appended, keyed with the registration `session`'s outgoing key; nil if too large.
    static func appending(_ parameter: HIPParameter, hmac type: UInt16, session: Association.Session,
                          to bytes: [UInt8]) -> [UInt8]? {
        guard let with = appending(parameter, to: bytes) else { return nil }
        let mac = hmac(with, before: type, session: session, outgoing: true)
        return appending(type == ParameterType.rvsHMAC ? .rvsHMAC(mac) : .relayHMAC(mac), to: with)
    }

    /// The HMAC (RVS_HMAC or RELAY_HMAC) over `bytes` up to the parameter of type `before`, with the
    /// registration session's outgoing (or incoming) HIP integrity key.
    static func hmac(_ bytes: [UInt8], before type: UInt16, session: Association.Session, outgoing: Bool) -> [UInt8] {
        guard let region = try? coveredRegion(of: bytes, before: type, rule: .mac) else { return [] }
        return HMAC.authenticate(session.keys.hash, key: outgoing ? session.keys.outgoingIntegrity : session.keys.incomingIntegrity,
                                 data: region)
    }

    /// Whether `mac` is the HMAC of `bytes` with the sender's key (our incoming one) or, as implementations
    /// differ on the direction (RFC 8004 §4.2.1 names "HIP-lg or HIP-gl"; HIPL uses the client's key both
    /// ways), with our outgoing one.
    static func verifyHMAC(_ mac: [UInt8], of bytes: [UInt8], before type: UInt16, session: Association.Session) -> Bool {
        [false, true].contains { outgoing in
            let expected = hmac(bytes, before: type, session: session, outgoing: outgoing)
            return !expected.isEmpty && constantTimeEquals(expected, mac)
        }
    }
}

extension HIPHost {
    /// A peer reached through a relay became ESTABLISHED or rekeyed, or we registered (again) with the relay:
    /// when our registration with that relay includes RELAY_UDP_ESP, we permit the peer's ESP (and ours to
    /// it) through the relay (PEER_PERMISSION).
    mutating func permitRelayedESP(after actions: [Action], now: Instant) -> [Action] {
        var more: [Action] = []
        var peers: [HIT] = []
        for case .report(let report) in actions {
            switch report {
            case .established(let hit, _, _), .rekeyed(let hit, _, _):
                peers.append(hit)
            case .registered(let server, let types, _) where types.contains(RegistrationType.relayUDPESP):
                peers += associations.filter { $0.value.session?.relay?.server == server }.map(\.key).sorted()
            default:
                continue
            }
        }
        for peer in peers {
            guard let session = associations[peer]?.session, let relay = session.relay,
                  case .udp(let relayPort) = relay.serverEndpoint.transport,
                  case .udp(let peerPort) = relay.peer.transport else { continue }
            let permission = PeerPermission(relayPort: relayPort, peerPort: peerPort,
                                            relayAddress: relay.serverEndpoint.address.v4Mapped,
                                            peerAddress: relay.peer.address.v4Mapped,
                                            outboundSPI: session.outboundSPI, inboundSPI: session.inboundSPI)
            more += route(.permit(permission), to: relay.server, now: now)
        }
        return more
    }
}

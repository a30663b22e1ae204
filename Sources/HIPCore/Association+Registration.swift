// Association+Registration: the Registration Extension (RFC 8003) on both sides of an association, and the
// Data Relay permissions a client gives its server (PEER_PERMISSION, RFC 9028 §5.13).
//
// Client (the peer is one of `HostSettings.registrations`):
//   R1 REG_INFO → I2 REG_REQUEST(wanted ∩ offered, the registrar's maximum lifetime capped at ours)
//   → R2 or UPDATE REG_RESPONSE (granted, lifetime) / REG_FAILED (refused) / REG_FROM (our reflexive address)
//   → renewal at half the lifetime: UPDATE(SEQ, REG_REQUEST) until answered; expired if not renewed in time.
// Server (`HostSettings.registrar`):
//   REG_REQUEST in I2 or UPDATE → admitted (`Registrar.allowed`) → types offered granted, others REG_FAILED
//   1, a host not admitted REG_FAILED 0; lifetime clamped to ours; lifetime 0 cancels → REG_RESPONSE
//   [+ REG_FROM: where the request came from] in the R2 or the UPDATE's answer.
//   PEER_PERMISSION from a client of RELAY_UDP_ESP → its Data Relay routes (`.relayRoutes`).
//   expiry → the registration and its routes end.
import HIPCrypto
import HIPWire

extension Association {
    // MARK: - Client

    /// The REG_REQUEST our I2 carries for an R1 with REG_INFO, when `peerHIT` is a server we register with:
    /// the wanted types it offers (rendezvous left out next to the Control Relay, which forwards I1s too: RFC
    /// 9028 §5.9 forbids both at once), our lifetime within its range. Renewals repeat it.
    func registrationRequest(for r1: HIPPacket) -> RegRequest? {
        guard let wanted = local.settings.registrations[peerHIT], let info = r1.regInfo else { return nil }
        var types = wanted.filter(info.types.contains)
        if types.contains(RegistrationType.relayUDPHIP) { types.removeAll { $0 == RegistrationType.rendezvous } }
        guard !types.isEmpty else { return nil }
        let lifetime = max(info.minLifetime, min(info.maxLifetime, local.settings.requestedRegistrationLifetime))
        return RegRequest(lifetime: lifetime, types: types)
    }

    /// A server's answer to our request (R2 or UPDATE): what it granted, refused and saw.
    func registrationAnswered(_ packet: HIPPacket, session: inout Session, now: Instant) -> [Action] {
        guard var registration = session.registration, packet.regResponse != nil || !packet.regFailed.isEmpty else {
            return []
        }
        var actions: [Action] = []
        if let response = packet.regResponse, response.lifetime > 0 {
            let lifetime = RegistrationLifetime.duration(response.lifetime)
            registration.granted = response.types.filter(registration.wanted.contains)
            registration.expiresAt = now + lifetime
            registration.renewAt = now + lifetime / 2
            actions.append(.report(.registered(server: peerHIT, types: registration.granted, lifetime: lifetime)))
        } else if let response = packet.regResponse {
            // RFC 8003 §5: the registrar cancelled these types (lifetime 0).
            let ended = registration.granted.filter(response.types.contains)
            registration.granted.removeAll(where: response.types.contains)
            if registration.granted.isEmpty { (registration.expiresAt, registration.renewAt) = (nil, nil) }
            if !ended.isEmpty { actions.append(.report(.registrationExpired(peer: peerHIT, types: ended))) }
        }
        for failed in packet.regFailed {
            for type in failed.types where registration.wanted.contains(type) {
                registration.refused[type] = failed.failureType
                registration.granted.removeAll { $0 == type }
            }
            actions.append(.report(.registrationRefused(server: peerHIT, types: failed.types, failureType: failed.failureType)))
        }
        if let from = packet.regFrom, from.proto == HIPProtocol.udpProtocol, let address = IPAddress(mappedBytes: from.address) {
            registration.reflexive = Endpoint(address: address, transport: .udp(port: from.port))
        }
        session.registration = registration
        return actions
    }

    /// Our registration's deadlines: renewal (an UPDATE with REG_REQUEST) and expiry.
    func registrationTimers(_ session: inout Session, now: Instant) -> [Action] {
        guard var registration = session.registration else { return [] }
        var actions: [Action] = []
        if let expiresAt = registration.expiresAt, expiresAt <= now {
            actions.append(.report(.registrationExpired(peer: peerHIT, types: registration.granted)))
            registration.granted = []
            registration.expiresAt = nil
            registration.renewAt = nil
        }
        if let renewAt = registration.renewAt, renewAt <= now {
            registration.renewAt = nil
            session.update.pending.register = true
        }
        session.registration = registration
        return actions
    }

    /// The REG_REQUEST a renewal UPDATE carries: the base exchange's, without the types refused since.
    func renewalRequest(_ session: Session) -> RegRequest? {
        guard let registration = session.registration, var request = registration.request else { return nil }
        request.types.removeAll { registration.refused[$0] != nil }
        return request.types.isEmpty ? nil : request
    }

    /// Our permission for a peer reached through this server's relay to send ESP through it, and for us to
    /// send ESP to that peer through it (PEER_PERMISSION in our next UPDATE to the server).
    mutating func permit(_ permission: PeerPermission, now: Instant) -> [Action] {
        guard var session, state == .established, session.registration?.grants(RegistrationType.relayUDPESP) == true,
              session.registration?.permitted.insert(permission).inserted == true else {
            return []
        }
        session.update.pending.permissions.append(permission)
        let actions = flush(&session, now: now).sends
        setSession(session)
        return actions
    }

    // MARK: - Server

    /// Our answer to a REG_REQUEST (in I2 or UPDATE) arriving from `source`: the parameters to send and the
    /// registration that results (nil: none left).
    func serve(_ request: RegRequest, from source: Endpoint, current: ServedRegistration?,
               now: Instant) -> (parameters: [HIPParameter], served: ServedRegistration?) {
        guard let registrar = local.settings.registrar else {
            return ([.regFailed(RegFailed(failureType: RegistrationFailure.typeUnavailable, types: request.types))], current)
        }
        guard registrar.allowed?.contains(peerHIT) ?? true else {
            return ([.regFailed(RegFailed(failureType: RegistrationFailure.requiresCredentials, types: request.types))], nil)
        }
        if request.lifetime == 0 {
            // RFC 8003 §3.3: cancellation.
            var kept = current
            for type in request.types { kept?.expiries[type] = nil }
            return ([.regResponse(RegResponse(lifetime: 0, types: request.types))], kept?.types.isEmpty == false ? kept : nil)
        }
        // RFC 9028 §5.9: not rendezvous and the Control Relay at once (the relay forwards I1s too).
        let both = request.types.contains(RegistrationType.rendezvous) && request.types.contains(RegistrationType.relayUDPHIP)
        let exclusive = both ? [RegistrationType.rendezvous] : []
        let granted = request.types.filter { registrar.types.contains($0) && !exclusive.contains($0) }
        let refused = request.types.filter { !registrar.types.contains($0) }
        var parameters: [HIPParameter] = []
        var served = current
        if !granted.isEmpty {
            // RFC 8003 §4.3: the types not listed keep their own lifetimes.
            let lifetime = max(registrar.minimumLifetime, min(registrar.maximumLifetime, request.lifetime))
            var renewed = current ?? ServedRegistration()
            for type in granted { renewed.expiries[type] = now + RegistrationLifetime.duration(lifetime) }
            served = renewed
            parameters.append(.regResponse(RegResponse(lifetime: lifetime, types: granted)))
            if case .udp(let port) = source.transport {
                parameters.append(.regFrom(TransportAddress(port: port, address: source.address.v4Mapped)))
            }
        }
        if !refused.isEmpty {
            parameters.append(.regFailed(RegFailed(failureType: RegistrationFailure.typeUnavailable, types: refused)))
        }
        if !exclusive.isEmpty {
            parameters.append(.regFailed(RegFailed(failureType: RegistrationFailure.rendezvousWithRelay, types: exclusive)))
        }
        return (parameters, served)
    }

    /// A client's PEER_PERMISSIONs: its Data Relay routes, the newest `routesPerClient` kept.
    func permitted(_ permissions: [PeerPermission], session: inout Session) -> [Action] {
        guard var served = session.served, served.expiries[RegistrationType.relayUDPESP] != nil, !permissions.isEmpty,
              let limit = local.settings.registrar?.routesPerClient else { return [] }
        for permission in permissions where permission.proto == HIPProtocol.udpProtocol {
            served.permissions.removeAll { $0.inboundSPI == permission.inboundSPI && $0.outboundSPI == permission.outboundSPI }
            served.permissions.append(permission)
        }
        served.permissions = Array(served.permissions.suffix(limit))
        session.served = served
        return [relayRoutes(session)]
    }

    /// The `.relayRoutes` action for the client's current permissions and locator.
    func relayRoutes(_ session: Session) -> Action {
        let routes = (session.served?.permissions ?? []).compactMap { permission -> RelayRoute? in
            guard let address = IPAddress(mappedBytes: permission.peerAddress) else { return nil }
            return RelayRoute(client: session.peerEndpoint, peer: Endpoint(address: address, transport: .udp(port: permission.peerPort)),
                              toClientSPI: permission.inboundSPI, toPeerSPI: permission.outboundSPI)
        }
        return .relayRoutes(client: peerHIT, routes: routes)
    }

    /// The client's registrations that expire end (each type its own lifetime); with the Data Relay go its
    /// routes, with the last one the registration.
    func servedTimers(_ session: inout Session, now: Instant) -> [Action] {
        guard var served = session.served, let next = served.nextExpiry, next <= now else { return [] }
        let ended = served.expiries.filter { $0.value <= now }.map(\.key).sorted()
        for type in ended { served.expiries[type] = nil }
        var actions: [Action] = [.report(.registrationExpired(peer: peerHIT, types: ended))]
        if ended.contains(RegistrationType.relayUDPESP) {
            served.permissions = []
            actions.append(.relayRoutes(client: peerHIT, routes: []))
        }
        session.served = served.types.isEmpty ? nil : served
        return actions
    }
}

// Association+Responder: the Responder's side once an I2 is verified (RFC 7401 §6.9 steps 18–21).
//
//  verified I2 → our inbound SPI (≠ the Initiator's) → R2 = ESP_INFO, [REG_RESPONSE, REG_FAILED, REG_FROM:
//  the answer to a REG_REQUEST, Association+Registration], HIP_MAC_2 (over R2 ‖ our HOST_ID), HIP_SIGNATURE
//  → SA pair installed → R2 sent (through the relay the I2 came through) → R2-SENT until traffic, an UPDATE
//  or Exchange Complete.
import HIPCrypto
import HIPWire

extension Association {
    /// A new association in R2-SENT from a verified I2, with its actions; nil if no SPI could be allocated
    /// or signing failed (the I2 is then rejected with `.localFailure`).
    static func accept(_ accepted: AcceptedI2, local: LocalHost, now: Instant) -> (Association, [Action])? {
        let i2 = accepted.received
        let keys = accepted.keys
        guard let spi = local.spis.allocate(excluding: accepted.peerSPI) else { return nil }
        var association = Association(local: local, peerHIT: i2.packet.senderHIT, phase: .unassociated)
        var parameters: [HIPParameter] = [.espInfo(ESPInfo(keymatIndex: keys.keymatIndex, oldSPI: 0, newSPI: spi))]
        var served: ServedRegistration?
        if let request = i2.packet.regRequest {
            let answer = association.serve(request, from: i2.source, current: nil, now: now)
            parameters += answer.parameters
            served = answer.served
        }
        let r2Packet = HIPPacket(type: .r2, senderHIT: local.hit, receiverHIT: i2.packet.senderHIT, parameters: parameters)
        guard let r2 = try? PacketSealer.seal(r2Packet, mac: .mac2(keys.outgoingIntegrity, keys.hash, hostIDTLV: local.hostIDTLV),
                                              identity: local.identity) else {
            local.spis.release(spi)
            return nil
        }
        var session = Session(role: .responder, peerIdentity: accepted.peerIdentity, keys: keys, group: accepted.group,
                              inboundSPI: spi, outboundSPI: accepted.peerSPI, peerEndpoint: i2.source,
                              localAddress: i2.via == nil ? i2.destination : nil, cachedI2: i2.packet, cachedR2: r2,
                              rekeyAt: local.settings.rekeyInterval.map { now + $0 }, now: now)
        session.served = served
        if let via = i2.via, via.service == .relay {
            // Reached through a Control Relay: our packets go back through it (HIPHost+Relay wraps them).
            session.relay = RelayPath(server: via.server, serverEndpoint: via.serverEndpoint, peer: via.origin)
        }
        association.phase = .r2Sent(session, completeAt: now + local.settings.effectiveExchangeCompleteTimeout)
        var actions: [Action] = [
            .installSA(association.securityAssociations(session)),
            association.send(r2, .r2, to: i2.source, from: session.localAddress),
            .report(.established(peer: association.peerHIT, role: .responder, latency: nil)),
        ]
        for case .regResponse(let response) in parameters where response.lifetime > 0 {
            actions.append(.report(.clientRegistered(client: association.peerHIT, types: response.types,
                                                     lifetime: RegistrationLifetime.duration(response.lifetime))))
        }
        return (association, actions)
    }

    /// The cached R2 when `i2` is a retransmission of the I2 that created this association
    /// (RFC 7401 §6.9 step 4), else nil.
    func cachedAnswer(to i2: ReceivedPacket) -> Action? {
        switch phase {
        case .r2Sent(let session, _), .established(let session):
            guard let cachedI2 = session.cachedI2, let r2 = session.cachedR2, cachedI2 == i2.packet else { return nil }
            return send(r2, .r2, to: i2.source, from: i2.destination, retransmission: true)
        default:
            return nil
        }
    }
}

// PacketSealer: adds HIP_MAC / HIP_MAC_2 and HIP_SIGNATURE(_2) to packets we send, and checks them on
// packets we receive (RFC 7401 §5.2.12–15, §6.4). Both directions use HIPWire's `coveredRegion`.
//
// Sending stages:  parameters below the MAC  → serialize → covered region → HMAC → + HIP_MAC(_2)
//                  → serialize → covered region → sign → + HIP_SIGNATURE(_2) → + unsigned parameters
//                  → serialize (checksum 0).
// Receiving:       HMAC first, then the signature (RFC 7401 §4.1.4), each over the received bytes.
import HIPCrypto
import HIPWire

enum PacketSealer {
    /// How the packet is authenticated before the signature.
    enum MAC {
        case none
        /// HIP_MAC with this key.
        case mac(SecretBytes, HashAlgorithm)
        /// HIP_MAC_2 (R2) with this key, over the packet plus our HOST_ID TLV.
        case mac2(SecretBytes, HashAlgorithm, hostIDTLV: [UInt8])
    }

    /// `packet` (which must not contain MAC or signature parameters) with its MAC, HIP_SIGNATURE and then
    /// `unsigned` parameters appended, serialized with checksum 0.
    static func seal(_ packet: HIPPacket, mac: MAC = .none, identity: HostIdentity,
                     unsigned: [HIPParameter] = []) throws(CryptoError) -> [UInt8] {
        var packet = packet
        switch mac {
        case .none:
            break
        case .mac(let key, let hash):
            let region = region(packet.serialize(), before: ParameterType.hipMAC, rule: .mac)
            packet.parameters.append(.hipMAC(HMAC.authenticate(hash, key: key, data: region)))
        case .mac2(let key, let hash, let tlv):
            let region = region(packet.serialize(), before: ParameterType.hipMAC2, rule: .mac2(responderHostIDTLV: tlv))
            packet.parameters.append(.hipMAC2(HMAC.authenticate(hash, key: key, data: region)))
        }
        let signed = region(packet.serialize(), before: ParameterType.hipSignature, rule: .signature)
        let signature = try identity.sign(signed)
        packet.parameters.append(.hipSignature(Signature(algorithm: identity.publicIdentity.algorithm.rawValue,
                                                         signature: signature)))
        packet.parameters += unsigned
        return packet.serialize()
    }

    /// The HIP_SIGNATURE_2 parameter for an R1 (the receiver HIT, Opaque and #I are zeroed in the region,
    /// so the template's values do not matter).
    static func signature2(forR1 bytes: [UInt8], identity: HostIdentity) throws(CryptoError) -> HIPParameter {
        let signed = region(bytes, before: ParameterType.hipSignature2, rule: .signature2)
        return .hipSignature2(Signature(algorithm: identity.publicIdentity.algorithm.rawValue,
                                        signature: try identity.sign(signed)))
    }

    /// Whether the received packet's HIP_MAC (or HIP_MAC_2 with `rule` .mac2) verifies under `key`.
    static func verifyMAC(_ received: ReceivedPacket, key: SecretBytes, hash: HashAlgorithm,
                          rule: CoverageRule = .mac) -> Bool {
        let type = rule == .mac ? ParameterType.hipMAC : ParameterType.hipMAC2
        let value: [UInt8]
        switch received.packet.first(type) {
        case .hipMAC(let mac)?, .hipMAC2(let mac)?: value = mac
        default: return false
        }
        guard let covered = try? coveredRegion(of: received.bytes, before: type, rule: rule) else { return false }
        return constantTimeEquals(HMAC.authenticate(hash, key: key, data: covered), value)
    }

    /// Whether the received packet's HIP_SIGNATURE (or HIP_SIGNATURE_2 for `.signature2`) verifies under
    /// `identity`, with the SIG algorithm matching the identity's algorithm.
    static func verifySignature(_ received: ReceivedPacket, identity: PublicHostIdentity,
                                rule: CoverageRule = .signature) -> Bool {
        let type = rule == .signature2 ? ParameterType.hipSignature2 : ParameterType.hipSignature
        let signature: Signature
        switch received.packet.first(type) {
        case .hipSignature(let value)?, .hipSignature2(let value)?: signature = value
        default: return false
        }
        guard signature.algorithm == identity.algorithm.rawValue,
              let covered = try? coveredRegion(of: received.bytes, before: type, rule: rule) else { return false }
        return identity.verify(signature: signature.signature, over: covered)
    }

    /// The covered region of a packet we just serialized ourselves (always well formed).
    private static func region(_ bytes: [UInt8], before type: UInt16, rule: CoverageRule) -> [UInt8] {
        do {
            return try coveredRegion(of: bytes, before: type, rule: rule)
        } catch {
            preconditionFailure("covered region of our own packet: \(error)")
        }
    }
}

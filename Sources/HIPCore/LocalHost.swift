// LocalHost: the immutable context shared by a HIPHost and its associations (identity, settings, injected
// services, and the wire forms of what we offer, computed once).
import HIPCrypto
import HIPWire

/// Our identity, settings and services. Immutable after init; shared by reference between the host and
/// its associations (all stored properties are Sendable).
final class LocalHost: Sendable {
    let identity: HostIdentity
    let hit: HIT
    let settings: HostSettings
    let random: any RandomSource
    let spis: any SPIAllocator
    let policy: any PeerPolicy

    /// RHASH when we are the Responder (our HIT suite's hash).
    let responderHash: HashAlgorithm
    /// Our HOST_ID parameter and its TLV bytes (for R1, NOTIFY, I2 and HIP_MAC_2).
    let hostID: HIPParameter
    let hostIDTLV: [UInt8]
    /// The offered lists in wire form.
    let dhGroupIDs: [UInt8]
    let hipCipherIDs: [UInt16]
    let espSuiteIDs: [UInt16]
    let hitSuiteList: [UInt8]

    init(identity: HostIdentity, settings: HostSettings, random: any RandomSource, spis: any SPIAllocator,
         policy: any PeerPolicy) {
        self.identity = identity
        self.hit = identity.hit
        self.settings = settings
        self.random = random
        self.spis = spis
        self.policy = policy
        let publicIdentity = identity.publicIdentity
        responderHash = publicIdentity.hitSuite.hash
        hostID = .hostID(HostID(algorithm: publicIdentity.algorithm.rawValue, hostIdentity: publicIdentity.hostIdentity))
        hostIDTLV = hostID.encodedTLV
        dhGroupIDs = settings.dhGroups.map(\.rawValue)
        hipCipherIDs = settings.hipCiphers.map(\.rawValue)
        espSuiteIDs = settings.espSuites.map(\.rawValue)
        hitSuiteList = settings.hitSuites.map(\.listEncoding)
    }

    /// Whether a peer HIT's suite (its ORCHID OGA ID) is one we accept.
    func acceptsSuite(of peer: HIT) -> Bool {
        guard let suite = HITSuite(rawValue: peer.bytes[3] & 0x0F) else { return false }
        return settings.hitSuites.contains(suite)
    }

    /// A signed NOTIFY to `peer` carrying one NOTIFICATION and (unless the peer has it from our association)
    /// our HOST_ID, so that a peer without our identity yet can authenticate it.
    func notify(to peer: HIT, type: UInt16, data: [UInt8], includingHostID: Bool = true) throws(CryptoError) -> [UInt8] {
        let notification = HIPParameter.notification(Notification(type: type, data: data))
        let packet = HIPPacket(type: .notify, senderHIT: hit, receiverHIT: peer,
                               parameters: includingHostID ? [notification, hostID] : [notification])
        return try PacketSealer.seal(packet, identity: identity)
    }
}

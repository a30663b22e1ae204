import HIPWire

/// The identities an SA binds: the HITs BEET puts in the inner IPv6 header, and the LSIs the local
/// applications may use for the peer instead. A plain value.
public struct SAEndpoints: Hashable, Sendable {
    public var ownHIT: HIT
    public var peerHIT: HIT
    /// This host's LSI (host order, 1.x.y.z), or nil when LSIs are not used.
    public var ownLSI: UInt32?
    /// The peer's LSI (host order), or nil.
    public var peerLSI: UInt32?

    public init(ownHIT: HIT, peerHIT: HIT, ownLSI: UInt32? = nil, peerLSI: UInt32? = nil) {
        self.ownHIT = ownHIT
        self.peerHIT = peerHIT
        self.ownLSI = ownLSI
        self.peerLSI = peerLSI
    }

    /// Both LSIs, when the pair uses them.
    var lsis: (own: UInt32, peer: UInt32)? {
        guard let ownLSI, let peerLSI else { return nil }
        return (ownLSI, peerLSI)
    }
}

// PeerPolicy: which peers may form associations with us (identity verification policy), injected.
import HIPWire

/// Decides whether a peer HIT may associate with this host. Called by `HIPHost` on every I1 (before any
/// work), and again once the peer's HOST_ID has been verified to hash to that HIT (R1, I2, NOTIFY).
/// Implementations are shared by reference and must be thread-safe; they must not block.
public protocol PeerPolicy: Sendable {
    func allows(_ peer: HIT) -> Bool
    /// Whether an association with `peer` counts toward `HostSettings.maximumAssociations` (a new one is
    /// refused while that many exist). Called when an association would be created, and for each existing
    /// one while the limit may be reached. Default: every peer counts.
    func isLimited(_ peer: HIT) -> Bool
}

extension PeerPolicy {
    public func isLimited(_ peer: HIT) -> Bool { true }
}

/// A fixed set of allowed HITs, or everyone.
public struct AllowedPeers: PeerPolicy, Hashable {
    /// nil: every peer is allowed (opportunistic hosts, tests).
    public var hits: Set<HIT>?

    public init(_ hits: Set<HIT>?) {
        self.hits = hits
    }

    public static let anyone = AllowedPeers(nil)

    public func allows(_ peer: HIT) -> Bool {
        hits?.contains(peer) ?? true
    }
}

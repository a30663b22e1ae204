// LocatorStatus: a peer's locator as `synaptic status` shows it.
import HIPWire

/// One locator of a peer as status shows it.
public struct LocatorStatus: Hashable, Sendable {
    public var endpoint: Endpoint
    /// UNVERIFIED, ACTIVE or DEPRECATED (RFC 8046 §5.4).
    public var state: String
    /// Whether ESP to the peer goes there.
    public var carriesTraffic: Bool
}

// TrafficCount: the ESP packets the data plane counted for one peer's SAs, as `Event.trafficCounts` hands
// them to the core (UAL, RFC 7401 §4.4.3; NAT keepalive, RFC 9028 §4.10).

/// Packets counted on a peer's SAs since they were installed. A value type.
public struct TrafficCount: Hashable, Sendable {
    /// ESP packets sent to the peer.
    public var sent: UInt64
    /// ESP packets received from the peer (after the ICV).
    public var received: UInt64

    public init(sent: UInt64, received: UInt64) {
        self.sent = sent
        self.received = received
    }

    var total: UInt64 { sent &+ received }
}

// ExchangeTransport: how an association's base exchange reached the peer: over raw HIP (IP protocol 139) or
// over UDP (RFC 9028 encapsulation), and whether UDP was our fallback after raw HIP went unanswered.

/// The transport of an association's base exchange, as status shows it. The raw values are stable labels
/// for JSON and metrics. A value type; use it anywhere.
public enum ExchangeTransport: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Raw HIP: IP protocol 139.
    case raw
    /// HIP over UDP, raw HIP not tried: it is off, there is no raw socket for the family, the locator is a
    /// server's (NAT traversal), or the peer started the exchange over UDP.
    case udp
    /// HIP over UDP because our I1s over raw HIP went unanswered until the first I1 timeout.
    case udpAfterRawUnanswered = "udp_raw_unanswered"

    public var description: String {
        switch self {
        case .raw: "raw HIP"
        case .udp: "UDP"
        case .udpAfterRawUnanswered: "UDP (raw HIP unanswered)"
        }
    }
}

// Report: events the shell logs and shows (association up/down, failures, rejections, notifications).
import HIPWire

/// Something that happened, for logs, metrics and users. A value type.
public enum Report: Sendable {
    /// SAs are installed: the association is usable. `latency` is, for the Initiator, the time from the
    /// first I1 to the R2; nil for the Responder.
    case established(peer: HIT, role: Role, latency: Duration?)
    /// A new valid I2 replaced an established association (peer restart; new SAs follow).
    case replaced(peer: HIT)
    /// The association was closed (CLOSE/CLOSE_ACK done, or CLOSING timed out).
    case closed(peer: HIT)
    /// The base exchange failed (E-FAILED).
    case failed(peer: HIT, reason: FailureReason)
    /// A received packet was dropped.
    case rejected(Rejection)
    /// ESP to `peer` now goes to `endpoint`: a verified locator (RFC 8046 §5.4).
    case moved(peer: HIT, to: Endpoint)
    /// New SAs with `peer` carry traffic (RFC 7402 §6.9): our new inbound SPI and the peer's.
    case rekeyed(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32)
    /// Our UPDATE to `peer` was not acknowledged after every retransmission (to each of its locators).
    case updateUnanswered(peer: HIT)
    /// The association with `peer` carried no traffic for `lifetime` (UAL): it is being closed.
    case unused(peer: HIT, lifetime: Duration)
    /// An authenticated NOTIFY from `peer` (RFC 7401 §6.13: informational; state is unchanged).
    case notified(peer: HIT, notification: Notification)
    /// `server` granted our registration for `types` (RFC 8003) for `lifetime`.
    case registered(server: HIT, types: [UInt8], lifetime: Duration)
    /// `server` refused our registration for `types` (REG_FAILED failure type; RFC 8003 §4.4), or (type 1)
    /// does not offer them.
    case registrationRefused(server: HIT, types: [UInt8], failureType: UInt8)
    /// A registration with or of `peer` ended without renewal.
    case registrationExpired(peer: HIT, types: [UInt8])
    /// We granted `client` a registration for `types` for `lifetime` (server side).
    case clientRegistered(client: HIT, types: [UInt8], lifetime: Duration)
    /// A connectivity check to `peer`'s candidate `endpoint` was answered: ESP goes there, not through the relay.
    case directPath(peer: HIT, endpoint: Endpoint)
    /// No candidate of `peer` answered a connectivity check: the path stays relayed.
    case noDirectPath(peer: HIT)
    /// Nothing came from `peer` on the direct path for 2.5 keepalive intervals: traffic goes through the relay
    /// again.
    case directPathLost(peer: HIT)
}

/// Why a base exchange failed.
public enum FailureReason: Hashable, Sendable, CustomStringConvertible {
    /// No acceptable R1 after all I1 retransmissions.
    case noResponseToI1
    /// No acceptable R2 after all I2 retransmissions.
    case noResponseToI2
    /// Our own policy does not allow the peer: no exchange was started.
    case blockedByPolicy
    /// `HostSettings.maximumAssociations` associations exist: no exchange was started.
    case associationLimit

    public var description: String {
        switch self {
        case .noResponseToI1: "no R1 after I1 retries"
        case .noResponseToI2: "no R2 after I2 retries"
        case .blockedByPolicy: "peer not allowed by policy"
        case .associationLimit: "association limit reached"
        }
    }
}

/// A dropped packet: its type and sender when they could be read, where it came from, and why.
public struct Rejection: Hashable, Sendable, CustomStringConvertible {
    public var reason: RejectReason
    public var packetType: PacketType?
    public var peer: HIT?
    public var source: Endpoint
    /// For an I2 whose puzzle solution used up its attempts: why the first attempt with it failed.
    public var firstCause: RejectReason? = nil

    public var description: String {
        let cause = firstCause.map { " (first attempt: \($0))" } ?? ""
        return "\(packetType.map { "\($0)" } ?? "packet") from \(peer.map { "\($0)" } ?? "?") at \(source): \(reason)\(cause)"
    }
}

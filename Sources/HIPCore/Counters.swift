// Counters: what the core has done, for status and metrics.
import HIPWire

/// Monotonic counts kept by a `HIPHost`. Read it with `HIPHost.counters` (a copy). A value type.
public struct Counters: Hashable, Sendable {
    private var receivedByType = [UInt64](repeating: 0, count: Self.packetTypeSlots)
    private var sentByType = [UInt64](repeating: 0, count: Self.packetTypeSlots)
    private var rejectedByReason = [UInt64](repeating: 0, count: RejectReason.allCases.count)

    /// Retransmissions of I1, I2 and CLOSE (included in `sent`).
    public internal(set) var retransmissions: UInt64 = 0
    /// Retransmitted I2s answered from the cached R2.
    public internal(set) var duplicateI2sAnswered: UInt64 = 0
    /// Associations that reached R2-SENT/ESTABLISHED (SAs installed), by either role.
    public internal(set) var associationsEstablished: UInt64 = 0
    /// Associations that went to E-FAILED.
    public internal(set) var associationsFailed: UInt64 = 0
    /// Associations closed by CLOSE/CLOSE_ACK or CLOSING timeout.
    public internal(set) var associationsClosed: UInt64 = 0
    /// Established associations replaced by a new valid I2 (peer restart).
    public internal(set) var associationsReplaced: UInt64 = 0
    /// Puzzle secret rotations (R1_COUNTER increments).
    public internal(set) var puzzleRotations: UInt64 = 0
    /// NOTIFYs not sent because of `HostSettings.notifyRatePerSecond`.
    public internal(set) var notifiesSuppressed: UInt64 = 0
    /// Authenticated notifications not reported because of `HostSettings.notifyReportRatePerSecond` or
    /// beyond `CoreLimits.notificationsPerPacket` in one NOTIFY.
    public internal(set) var notifyReportsSuppressed: UInt64 = 0
    /// Copies of the R1 we answered arriving in I2-SENT (the I1 went out on several transports): dropped
    /// without a rejection.
    public internal(set) var duplicateR1s: UInt64 = 0
    /// Times the puzzle was made harder because solved I2s kept failing later checks.
    public internal(set) var puzzleDifficultyRaises: UInt64 = 0
    /// Associations closed for lack of traffic (UAL).
    public internal(set) var associationsUnused: UInt64 = 0
    /// Times ESP to a peer moved to another (verified) locator.
    public internal(set) var moves: UInt64 = 0
    /// Rekeys completed (new SAs in both directions).
    public internal(set) var rekeys: UInt64 = 0
    /// UPDATEs given up after every retransmission.
    public internal(set) var updatesUnanswered: UInt64 = 0
    /// Outbound-data events ignored because the peer is in E-FAILED hold-down.
    public internal(set) var outboundDuringHoldDown: UInt64 = 0
    /// Verified NAT keepalives received (RFC 9028 §4.10).
    public internal(set) var natKeepalivesReceived: UInt64 = 0
    /// HIP packets forwarded for registered hosts (rendezvous and relay, RFC 8004, RFC 9028).
    public internal(set) var relayedHIP: UInt64 = 0
    /// R1s sent to an address known for the HIT the I1 claimed (from that address's own rate).
    public internal(set) var r1sToKnownLocators: UInt64 = 0
    /// R1s sent with the flood puzzle (other addresses, while I1s were refused for the total rate).
    public internal(set) var floodPuzzleR1s: UInt64 = 0

    public init() {}

    /// Packets of `type` accepted by the parser (before any state check).
    public func received(_ type: PacketType) -> UInt64 { receivedByType[Self.slot(type)] }
    /// Packets of `type` emitted in `.send` actions (retransmissions included).
    public func sent(_ type: PacketType) -> UInt64 { sentByType[Self.slot(type)] }
    /// Packets dropped for `reason`.
    public func rejected(_ reason: RejectReason) -> UInt64 { rejectedByReason[reason.rawValue] }
    /// All dropped packets.
    public var totalRejected: UInt64 { rejectedByReason.reduce(0, +) }

    mutating func countReceived(_ type: PacketType) { receivedByType[Self.slot(type)] += 1 }
    mutating func countSent(_ type: PacketType) { sentByType[Self.slot(type)] += 1 }
    mutating func countRejected(_ reason: RejectReason) { rejectedByReason[reason.rawValue] += 1 }

    private static let packetTypeSlots = PacketType.allCases.count
    private static func slot(_ type: PacketType) -> Int {
        PacketType.allCases.firstIndex(of: type) ?? 0
    }
}

/// Packets and bytes each way, and drops by reason, for one SA or for the whole data plane (drops before
/// an SA is known: unknown SPI, no SA, malformed outer packets). A plain value; the data plane updates its
/// own copy on the queue that owns it and hands out copies.
public struct TrafficCounters: Sendable, Equatable {
    /// Packets sealed and handed to the outside.
    public internal(set) var packetsOut: UInt64 = 0
    /// Inner (upper-layer payload) bytes of those packets.
    public internal(set) var bytesOut: UInt64 = 0
    /// Packets opened, authenticated and handed to the inside.
    public internal(set) var packetsIn: UInt64 = 0
    /// Inner (upper-layer payload) bytes of those packets.
    public internal(set) var bytesIn: UInt64 = 0
    private var dropped = InlineArray<16, UInt64>(repeating: 0)

    public init() {}

    /// Packets dropped for `reason`.
    public func drops(_ reason: DropReason) -> UInt64 { dropped[reason.rawValue] }

    /// All drops.
    public var totalDrops: UInt64 {
        var total: UInt64 = 0
        for reason in DropReason.allCases { total &+= dropped[reason.rawValue] }
        return total
    }

    public static func == (lhs: TrafficCounters, rhs: TrafficCounters) -> Bool {
        guard lhs.packetsOut == rhs.packetsOut, lhs.bytesOut == rhs.bytesOut, lhs.packetsIn == rhs.packetsIn,
              lhs.bytesIn == rhs.bytesIn else { return false }
        return DropReason.allCases.allSatisfy { lhs.drops($0) == rhs.drops($0) }
    }

    mutating func countDrop(_ reason: DropReason) { dropped[reason.rawValue] &+= 1 }

    mutating func countOut(bytes: Int) {
        packetsOut &+= 1
        bytesOut &+= UInt64(bytes)
    }

    mutating func countIn(bytes: Int) {
        packetsIn &+= 1
        bytesIn &+= UInt64(bytes)
    }
}

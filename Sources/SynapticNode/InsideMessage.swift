// InsideMessage: what the control plane tells the inside path (TUN → ESP).
import HIPCrypto
import HIPWire
import SynapticDataPlane
import SynapticPlatform

/// A request for the inside path's thread, posted to its inbox.
enum InsideMessage: Sendable {
    /// Install (or replace) the outbound SA to a peer, then send the packets queued for it.
    case install(OutboundInstall)
    /// Remove the outbound SA to `peer` if its SPI is `spi` (a newer SA may have replaced it already).
    case remove(peer: HIT, spi: UInt32)
    /// Send the ESP of the outbound SA to `peer` to `destination` from the next batch on, if its SPI is
    /// `spi`: same SA, keys and sequence numbers (mobility). The address family may change.
    case move(peer: HIT, spi: UInt32, destination: SocketAddress)
    /// When outbound SAs are due for rekeying and when they stop (SIGHUP).
    case thresholds(RekeyThresholds)
    /// The base exchange with `peer` failed or cannot start: drop its queued packets (counted).
    case discardPending(peer: HIT)
    /// The peers whose LSIs local applications may use, by LSI (host order).
    case peerLSIs([UInt32: HIT])
    case snapshot(Reply<InsideSnapshot>)
    case stop
}

/// An outbound SA and where its ESP goes.
struct OutboundInstall: Sendable {
    var spi: UInt32
    var suite: ESPSuiteID
    var keys: ESPKeys
    var endpoints: SAEndpoints
    var destination: SocketAddress
    /// The sequence number of the SA's first packet.
    var initialSequence: UInt64 = 1
}

/// The inside path's counters and SAs, copied on its thread.
struct InsideSnapshot: Sendable {
    struct Outbound: Sendable {
        var peer: HIT
        var spi: UInt32
        var suite: ESPSuiteID
        var destination: SocketAddress
        var counters: TrafficCounters
    }

    var outbound: [Outbound]
    /// Drops before an SA was known (malformed inner packets, ...).
    var unassigned: TrafficCounters
    var pending: [HIT: (queued: Int, drops: PendingPackets.Drops)]
    /// Drops counted by the queues of peers evicted from the pending table since.
    var retiredPendingDrops: PendingPackets.Drops
    var counters: InsideCounters
}

/// What the inside path counts itself (the data plane counts per SA).
struct InsideCounters: Hashable, Sendable {
    /// Packets read from the TUN.
    var packetsRead: UInt64 = 0
    /// Packets to an address that is neither a HIT nor a known peer's LSI (e.g. IPv6 multicast).
    var unroutable: UInt64 = 0
    /// Packets that were queued for a peer evicted from the pending table to make room for a new peer
    /// (`NodeLimits.pendingPeers` peers had queues).
    var tooManyPendingPeers: UInt64 = 0
    /// ESP packets the kernel refused (no route, ...).
    var sendRejected: UInt64 = 0
    /// ESP packets dropped because the socket stayed full, or no socket of the family exists.
    var sendDropped: UInt64 = 0
    /// TUN read errors.
    var readErrors: UInt64 = 0
    /// Base-exchange requests the control plane's full queue refused (the packets stay queued; the peer's
    /// next packet after the request interval asks again).
    var exchangeRequestsRefused: UInt64 = 0
}

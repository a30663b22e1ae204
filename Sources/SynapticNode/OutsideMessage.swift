// OutsideMessage: what the control plane tells the outside path (UDP → TUN).
import HIPCrypto
import HIPWire
import SynapticDataPlane
import SynapticPlatform

/// A request for the outside path's thread, posted to its inbox.
enum OutsideMessage: Sendable {
    case install(InboundInstall)
    case remove(spi: UInt32)
    /// When inbound SAs are due for rekeying (SIGHUP).
    case thresholds(RekeyThresholds)
    /// The addresses of known peers: only their unknown SPIs are reported.
    case peerAddresses(Set<InetAddress>)
    /// Data Relay: the registered `client`'s routes from now on, replacing its earlier ones (empty: none).
    case relay(client: HIT, routes: [RelayTable<SocketAddress>.Route])
    case snapshot(Reply<OutsideSnapshot>)
    case stop
}

/// An inbound SA.
struct InboundInstall: Sendable {
    var spi: UInt32
    var suite: ESPSuiteID
    var keys: ESPKeys
    var endpoints: SAEndpoints
}

/// The outside path's counters and SAs, copied on its thread.
struct OutsideSnapshot: Sendable {
    struct Inbound: Sendable {
        var peer: HIT
        var spi: UInt32
        var counters: TrafficCounters
    }

    var inbound: [Inbound]
    /// Drops before an SA was known (unknown SPI, truncated ESP).
    var unassigned: TrafficCounters
    var counters: OutsideCounters
    /// Data Relay routes installed, and the clients they belong to.
    var relayRoutes = 0
    var relayClients = 0
}

/// What the outside path counts itself.
struct OutsideCounters: Hashable, Sendable {
    /// Datagrams received on the UDP port.
    var datagrams: UInt64 = 0
    /// HIP packets (zero marker) handed to the control plane.
    var hipPackets: UInt64 = 0
    /// HIP packets dropped because the control plane had `NodeLimits.controlQueueLimit` waiting (from known
    /// peers' addresses: that plus `NodeLimits.knownSourceQueueReserve`).
    var hipQueueFull: UInt64 = 0
    /// HIP packets from addresses that are not known peers' dropped for their Sender's HIT's rate.
    var hipSenderLimited: UInt64 = 0
    /// RFC 3948 NAT keepalives (dropped).
    var natKeepalives: UInt64 = 0
    /// Datagrams too short to be HIP or ESP, or without a source address.
    var invalid: UInt64 = 0
    /// Datagrams longer than any HIP or ESP packet the path takes, or cut by the kernel (dropped).
    var oversized: UInt64 = 0
    /// Opened packets the TUN did not take.
    var tunDropped: UInt64 = 0
    /// Socket receive errors.
    var receiveErrors: UInt64 = 0
    /// ESP packets parked for an SA that was not installed within `NodeLimits.parkedESPAge`.
    var parkedExpired: UInt64 = 0
    /// New ESP sources not reported because their SA had used up `NodeLimits.espSourceReportsPerSecond`.
    var sourceReportsSuppressed: UInt64 = 0
    /// ESP datagrams a relay route matched, handed to the socket towards the route's other end, and their
    /// UDP payload bytes.
    var relayedPackets: UInt64 = 0
    var relayedBytes: UInt64 = 0
    /// Of those, datagrams that did not leave: refused by the kernel, the socket full, or no socket of the
    /// destination's family.
    var relaySendFailures: UInt64 = 0
}

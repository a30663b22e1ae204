// ControlMessage: what the other threads tell the control plane (the thread that owns HIPHost).
import HIPCore
import HIPWire
import SynapticDataPlane
import SynapticPlatform

/// A request for the control thread, posted to its inbox.
enum ControlMessage: Sendable {
    /// A HIP packet received over UDP (the outside path strips the zero marker).
    case packet(bytes: [UInt8], source: Endpoint, destination: IPAddress)
    /// Packets for `peer` wait for an SA: start a base exchange.
    case outboundData(peer: HIT)
    /// ESP of `peer` opened on the inbound SA `spi` came from `source` (UDP address and port): sent for the
    /// SA's first packet, then when a packet with a new highest sequence number comes from another source
    /// than the last one reported (rate-limited per SA by the outside path: ESPSourceReports).
    case espSource(peer: HIT, spi: UInt32, source: SocketAddress)
    /// The SA `spi` of `peer` in `direction` reached its rekey thresholds (RekeyThresholds); sent once per SA.
    case rekeyWanted(peer: HIT, spi: UInt32, direction: SADirection)
    /// ESP with an SPI we do not know came from `source` (rate-limited by the outside path): a peer there
    /// may still use SAs of a run of ours that ended (we restarted), so a new base exchange is due.
    case unknownSPI(source: IPAddress)
    /// Close the association with `peer`.
    case close(peer: HIT)
    /// New peers and policy (SIGHUP).
    case reload(NodeConfiguration)
    case snapshot(Reply<ControlSnapshot>)
    /// Send CLOSE to every peer, wait briefly for CLOSE_ACKs, then stop.
    case shutdown
}

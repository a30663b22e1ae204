// SADatabase: the SAs of this host, in two halves that share no mutable state.
//
//   inbound half:  SPI → InboundSA                (outside path: demux by SPI)
//   outbound half: peer HIT → OutboundSA,         (inside path: classify by destination HIT,
//                  peer LSI → OutboundSA           or by destination LSI for IPv4)
//
// Lookups hash fixed-size keys read from the packet and never allocate. Installing replaces what was
// there (a rekey installs the new outbound SA over the old one; the old inbound SA stays until removed,
// so packets in flight on the old SPI still open).

import HIPCrypto
import HIPWire

/// The SA database. Concurrency: not locked. The inbound half (`installInbound`, `removeInbound`,
/// `inbound(spi:)`, `InboundProcessor`) must be used from one serial queue at a time, and the outbound
/// half (`installOutbound`, `removeOutbound`, `outbound(…)`, `OutboundProcessor`) from one (possibly
/// another) serial queue at a time: the node applies control-plane changes by dispatching them onto the
/// queue of the half they change, and reads counters there too. Hence `@unchecked Sendable`.
public final class SADatabase: @unchecked Sendable {
    /// Contexts per SA: one sealer/opener per worker queue that may seal or open in parallel.
    public let workers: Int
    private var inboundBySPI: [UInt32: InboundSA] = [:]
    private var outboundByHIT: [PackedHIT: OutboundSA] = [:]
    private var outboundByLSI: [UInt32: OutboundSA] = [:]
    /// Drops on the inbound path before an SA is known (unknown SPI, truncated ESP).
    public internal(set) var inboundCounters = TrafficCounters()
    /// Drops on the outbound path before an SA is known (no SA, malformed inner packets).
    public internal(set) var outboundCounters = TrafficCounters()

    /// Helper threads for the parallel stage of each half (nil with one worker).
    let outboundWorkers: StageWorkers?
    let inboundWorkers: StageWorkers?

    /// A database whose SAs get `workers` crypto contexts each; with more than one, each half also
    /// makes `workers − 1` helper Dispatch queues that seal or open batches in parallel with the caller.
    public init(workers: Int = 1) {
        precondition(workers >= 1, "at least one worker")
        self.workers = workers
        outboundWorkers = workers > 1 ? StageWorkers(helpers: workers - 1, name: "synaptic-seal") : nil
        inboundWorkers = workers > 1 ? StageWorkers(helpers: workers - 1, name: "synaptic-open") : nil
    }

    // MARK: Inbound half

    /// Installs (or replaces) the inbound SA for `spi`. Errors: the keys do not fit the suite.
    @discardableResult
    public func installInbound(spi: UInt32, suite: ESPSuiteID, keys: ESPKeys, endpoints: SAEndpoints,
                               tag: Int = 0) throws(CryptoError) -> InboundSA {
        let association = try InboundSA(spi: spi, suite: suite, keys: keys, endpoints: endpoints, tag: tag,
                                        workers: workers)
        inboundBySPI[spi] = association
        return association
    }

    /// Removes the inbound SA for `spi` and returns it (with its final counters).
    @discardableResult
    public func removeInbound(spi: UInt32) -> InboundSA? { inboundBySPI.removeValue(forKey: spi) }

    /// The inbound SA for `spi`.
    public func inbound(spi: UInt32) -> InboundSA? { inboundBySPI[spi] }

    /// Every inbound SA (for status output; allocates).
    public var inboundSAs: [InboundSA] { Array(inboundBySPI.values) }

    // MARK: Outbound half

    /// Installs the outbound SA to `endpoints.peerHIT`, replacing the current one for that peer (and its
    /// LSI mapping); its first packet gets sequence number `initialSequence`. Errors: the keys do not fit
    /// the suite.
    @discardableResult
    public func installOutbound(spi: UInt32, suite: ESPSuiteID, keys: ESPKeys, endpoints: SAEndpoints,
                                tag: Int = 0, initialSequence: UInt64 = 1) throws(CryptoError) -> OutboundSA {
        let association = try OutboundSA(spi: spi, suite: suite, keys: keys, endpoints: endpoints, tag: tag,
                                         initialSequence: initialSequence, workers: workers)
        removeOutbound(peer: endpoints.peerHIT)
        outboundByHIT[association.peerHIT] = association
        if let peerLSI = endpoints.peerLSI { outboundByLSI[peerLSI] = association }
        return association
    }

    /// Removes the outbound SA to `peer` and returns it.
    @discardableResult
    public func removeOutbound(peer: HIT) -> OutboundSA? {
        guard let association = outboundByHIT.removeValue(forKey: PackedHIT(peer)) else { return nil }
        if let peerLSI = association.endpoints.peerLSI, outboundByLSI[peerLSI] === association {
            outboundByLSI.removeValue(forKey: peerLSI)
        }
        return association
    }

    /// The outbound SA to `peer`.
    public func outbound(peer: HIT) -> OutboundSA? { outboundByHIT[PackedHIT(peer)] }

    /// The outbound SA to the peer with LSI `lsi` (host order).
    public func outbound(lsi: UInt32) -> OutboundSA? { outboundByLSI[lsi] }

    /// Every outbound SA (for status output; allocates).
    public var outboundSAs: [OutboundSA] { Array(outboundByHIT.values) }

    // MARK: Per-packet lookups

    @inline(__always)
    func outbound(packed peer: PackedHIT) -> OutboundSA? { outboundByHIT[peer] }
}

import HIPCrypto

/// One inbound ESP SA: its keyed openers (one per worker), its anti-replay window and counters.
/// Owned by the `SADatabase`'s inbound half; touch it only on the queue that owns that half.
public final class InboundSA {
    public let spi: UInt32
    public let suite: ESPSuiteID
    public let endpoints: SAEndpoints
    /// The installer's handle for the peer; opaque here.
    public let tag: Int
    public internal(set) var window = ReplayWindow()
    public internal(set) var counters = TrafficCounters()
    let openers: [ESPOpener]
    let ownHIT: PackedHIT
    let peerHIT: PackedHIT

    init(spi: UInt32, suite: ESPSuiteID, keys: ESPKeys, endpoints: SAEndpoints, tag: Int,
         workers: Int) throws(CryptoError) {
        self.spi = spi
        self.suite = suite
        self.endpoints = endpoints
        self.tag = tag
        var openers: [ESPOpener] = []
        for _ in 0..<workers { openers.append(try ESPOpener(suite: suite, keys: keys)) }
        self.openers = openers
        ownHIT = PackedHIT(endpoints.ownHIT)
        peerHIT = PackedHIT(endpoints.peerHIT)
    }
}

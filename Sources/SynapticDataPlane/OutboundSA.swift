import HIPCrypto

/// One outbound ESP SA: its keyed sealers (one per worker), its sequence numbers and counters.
/// Owned by the `SADatabase`'s outbound half; touch it only on the queue that owns that half.
public final class OutboundSA {
    public let spi: UInt32
    public let suite: ESPSuiteID
    public let endpoints: SAEndpoints
    /// The installer's handle for the peer (e.g. an index into its locator table); opaque here.
    public let tag: Int
    /// The next sequence number to send (the first is the installer's, normally 1); 0 once 2^64 − 1 was used.
    public private(set) var nextSequence: UInt64
    public internal(set) var counters = TrafficCounters()
    let sealers: [ESPSealer]
    let ownHIT: PackedHIT
    let peerHIT: PackedHIT

    init(spi: UInt32, suite: ESPSuiteID, keys: ESPKeys, endpoints: SAEndpoints, tag: Int, initialSequence: UInt64,
         workers: Int) throws(CryptoError) {
        self.spi = spi
        nextSequence = initialSequence
        self.suite = suite
        self.endpoints = endpoints
        self.tag = tag
        var sealers: [ESPSealer] = []
        for _ in 0..<workers { sealers.append(try ESPSealer(suite: suite, keys: keys)) }
        self.sealers = sealers
        ownHIT = PackedHIT(endpoints.ownHIT)
        peerHIT = PackedHIT(endpoints.peerHIT)
    }

    /// Takes the next sequence number (RFC 4303 §3.3.3: never reused; with ESN, exhausted after 2^64 − 1),
    /// if it is at most `last` (`RekeyThresholds.lastSequence`: an SA that was not rekeyed in time stops).
    func assignSequence(last: UInt64) throws(DataPlaneError) -> UInt64 {
        guard nextSequence != 0, nextSequence <= last else { throw .sequenceExhausted }
        let sequence = nextSequence
        nextSequence &+= 1
        return sequence
    }
}

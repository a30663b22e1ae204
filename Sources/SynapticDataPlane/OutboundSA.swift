import HIPCrypto

/// One outbound ESP SA: its keyed sealers (one per worker), its sequence numbers and counters.
/// Owned by the `SADatabase`'s outbound half; touch it only on the queue that owns that half.
public final class OutboundSA {
    public let spi: UInt32
    public let suite: ESPSuiteID
    public let endpoints: SAEndpoints
    /// The installer's handle for the peer (e.g. an index into its locator table); opaque here.
    public let tag: Int
    /// The next sequence number to send (the first is 1); 0 once 2^64 − 1 was used.
    public private(set) var nextSequence: UInt64 = 1
    public internal(set) var counters = TrafficCounters()
    let sealers: [ESPSealer]
    let ownHIT: PackedHIT
    let peerHIT: PackedHIT

    init(spi: UInt32, suite: ESPSuiteID, keys: ESPKeys, endpoints: SAEndpoints, tag: Int,
         workers: Int) throws(CryptoError) {
        self.spi = spi
        self.suite = suite
        self.endpoints = endpoints
        self.tag = tag
        var sealers: [ESPSealer] = []
        for _ in 0..<workers { sealers.append(try ESPSealer(suite: suite, keys: keys)) }
        self.sealers = sealers
        ownHIT = PackedHIT(endpoints.ownHIT)
        peerHIT = PackedHIT(endpoints.peerHIT)
    }

    /// Takes the next sequence number (RFC 4303 §3.3.3: never reused; with ESN, exhausted after 2^64 − 1).
    func assignSequence() throws(DataPlaneError) -> UInt64 {
        guard nextSequence != 0 else { throw .sequenceExhausted }
        let sequence = nextSequence
        nextSequence &+= 1
        return sequence
    }
}

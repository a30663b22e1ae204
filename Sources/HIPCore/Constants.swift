// HIPCore constants: protocol values from the RFCs, then the limits this implementation applies.

/// Protocol constants used by the state machines (RFC 7401, RFC 7402). Pure values.
enum CoreProtocol {
    /// TRANSPORT_FORMAT_LIST entry for the ESP transport format: the ESP_TRANSFORM parameter type
    /// (RFC 7401 §5.2.11, RFC 7402 §5.1.2).
    static let espTransportFormat: UInt16 = 4095
    /// SPIs 1–255 are reserved by IANA (RFC 4303 §2.1); ours and the peer's must be ≥ 256.
    static let minimumSPI: UInt32 = 256
    /// At most six entries are sent, and only the first six are considered, in HIP_CIPHER and ESP_TRANSFORM
    /// (RFC 7401 §5.2.8, RFC 7402 §5.1.2).
    static let maximumOfferedTransforms = 6
    /// PUZZLE Lifetime is 2^(value − 32) seconds (RFC 7401 §5.2.4).
    static let puzzleLifetimeBias = 32
    /// Ta, the pacing of connectivity checks when TRANSACTION_PACING is not exchanged (RFC 9028: 50 ms).
    static let checkPacing: Duration = .milliseconds(50)
    /// RFC 9028 §4.10: a NAT keepalive interval below 15 seconds MUST NOT be used.
    static let minimumNATKeepalive: Duration = .seconds(15)
}

/// NOTIFY message types we send or interpret (RFC 7401 §5.2.19, RFC 7402 §5.1.3).
public enum NotifyType {
    public static let unsupportedCriticalParameterType: UInt16 = 1
    public static let invalidSyntax: UInt16 = 7
    public static let noDHProposalChosen: UInt16 = 14
    public static let invalidDHChosen: UInt16 = 15
    public static let noHIPProposalChosen: UInt16 = 16
    public static let invalidHIPCipherChosen: UInt16 = 17
    public static let noESPProposalChosen: UInt16 = 18
    public static let invalidESPTransformChosen: UInt16 = 19
    public static let unsupportedHITSuite: UInt16 = 20
    public static let authenticationFailed: UInt16 = 24
    public static let checksumFailed: UInt16 = 26
    public static let hipMACFailed: UInt16 = 28
    public static let encryptionFailed: UInt16 = 32
    public static let invalidHIT: UInt16 = 40
    public static let blockedByPolicy: UInt16 = 42
    public static let responderBusyPleaseRetry: UInt16 = 44
    /// RFC 9028 §5.9: an I2 without an offered NAT_TRAVERSAL_MODE (or with another one).
    public static let noValidNATTraversalModeParameter: UInt16 = 60
    public static let i2Acknowledgement: UInt16 = 16384
    /// RFC 9028 §5.3: the NAT keepalive (a NOTIFY sent only to keep a UDP path's NAT bindings).
    public static let natKeepalive: UInt16 = 16385
}

/// NAT_TRAVERSAL_MODE mode IDs (RFC 9028 §5.4, RFC 5770 §5.4).
public enum NATTraversalMode {
    /// UDP-ENCAPSULATION: HIP and ESP over UDP on the 5-tuple of the exchange (mandatory in RFC 9028).
    public static let udpEncapsulation: UInt16 = 1
    /// ICE-HIP-UDP: RFC 9028's connectivity checks.
    public static let iceHIPUDP: UInt16 = 3
}

/// Implementation limits (our choices, not protocol facts).
enum CoreLimits {
    /// Length of the puzzle secret S (RFC 7401 App. A) in bytes.
    static let puzzleSecretLength = 32
    /// Length of the CLOSE ECHO_REQUEST_SIGNED nonce in bytes.
    static let closeNonceLength = 16
    /// I1s are first sent to at most this many peer addresses in parallel (RFC 7401 §6.6.1).
    static let parallelI1Destinations = 3
    /// Accepted I2 solutions remembered per R1 generation (replay protection); when full the generation is
    /// rotated early, so the memory is bounded.
    static let consumedSolutionsPerGeneration = 4096
    /// How often one puzzle solution (#I, #J) may take an I2 past the puzzle check (to the DH computation
    /// and HIP_MAC): twice, so that a tampered copy arriving first does not lock out the genuine I2.
    static let attemptsPerSolution = 2
    /// Solutions whose attempts are counted per R1 generation; when full the generation is rotated early.
    static let attemptedSolutionsPerGeneration = 4096
    /// I2s that solved the puzzle but failed a later check (DH value, HIP_MAC, HOST_ID, signature, ESP_INFO)
    /// since the last rotation that make the next generation's puzzle harder (rotating at once).
    static let failedI2sForHarderPuzzle = 32
    /// Bits added to #K each time the puzzle is made harder (up to `HostSettings.puzzleDifficultyCeiling`).
    static let puzzleDifficultyStep: UInt8 = 4
    /// Rotations without that many failures after which #K returns to `HostSettings.puzzleDifficulty`.
    static let calmGenerationsForEasierPuzzle = 2
    /// How long after an I1 was refused for the total R1 rate R1s to addresses not known for the claimed
    /// HIT keep the flood puzzle (HostSettings.puzzleDifficultyCeiling).
    static let i1FloodMemory: Duration = .seconds(10)
    /// Addresses learned per peer HIT from its associations (KnownLocators), and peers with learned ones.
    static let learnedLocatorsPerPeer = 4
    static let learnedLocatorPeers = 1024
    /// Token buckets of the per-source R1 rate limit (sources share a bucket by a keyed hash).
    static let r1SourceBuckets = 1024
    /// Length of the key of that hash, drawn once per host.
    static let r1SourceKeyLength = 32
    /// Notifications reported from one NOTIFY packet at most; the rest are counted as suppressed.
    static let notificationsPerPacket = 4
    /// Locators kept per peer (announced, configured and seen); more replace the oldest unverified ones.
    static let peerLocators = 8
    /// Locators read from one LOCATOR_SET at most.
    static let locatorsPerUpdate = 8
    /// Length of the ECHO_REQUEST_SIGNED nonce that verifies a locator.
    static let echoNonceLength = 16
    /// A replaced inbound SA goes this soon after the first packet on its successor (packets reordered
    /// around the switch still open).
    static let drainAfterNewTraffic: Duration = .milliseconds(500)
    /// UPDATE transmissions to the current locator before a failing one also verifies another locator.
    static let updateAttemptsBeforeFailover = 2
    /// Attempts to draw a fresh inbound SPI before giving up.
    static let spiAllocationAttempts = 64
}

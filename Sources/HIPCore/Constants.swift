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
    public static let i2Acknowledgement: UInt16 = 16384
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
    /// Attempts to draw a fresh inbound SPI before giving up.
    static let spiAllocationAttempts = 64
}

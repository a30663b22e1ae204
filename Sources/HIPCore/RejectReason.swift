// RejectReason: why the core dropped a received packet (each has a counter in `Counters`).

/// Why a received HIP packet was dropped. Every drop has exactly one reason, is counted in
/// `Counters.rejected(_:)` and is reported as `Report.rejected`. A rejected packet never changes state.
public enum RejectReason: Int, CaseIterable, Hashable, Sendable, Error, CustomStringConvertible {
    /// The bytes are not a well-formed HIP packet (HIPWire refused them).
    case malformed
    /// A critical parameter we do not know (answered with NOTIFY 1 for I1, I2 and UPDATE).
    case unsupportedCriticalParameter
    /// Raw IP: the HIP checksum does not verify. UDP: it is not zero.
    case badChecksum
    /// The Receiver's HIT is not ours (or NULL without opportunistic mode).
    case notForUs
    /// The Sender's HIT is our own.
    case fromOurselves
    /// Not expected in the association's state (RFC 7401 §4.4.3: "drop"), or no association.
    case unexpected
    /// A simultaneous open we lose by HIT comparison (RFC 7401 §4.4.3 Tables 3–4): the peer's packet is
    /// dropped and our own exchange continues.
    case simultaneousOpenYield
    /// The peer's HIT is not allowed by the policy.
    case blockedByPolicy
    /// A mandatory parameter is missing.
    case missingParameter
    /// A parameter's value is unusable (wrong length, several values where one is required, ...).
    case invalidParameter
    /// Our HIT suite is not in the R1's HIT_SUITE_LIST, or the peer's HIT suite is not accepted.
    case unsupportedHITSuite
    /// The HOST_ID cannot be used (unknown algorithm, malformed key).
    case unsupportedHostIdentity
    /// The Sender's HIT is not the hash of its HOST_ID.
    case hitMismatch
    /// The R1's DH group is not the Responder's first choice among our I1 list (RFC 7401 §5.2.6).
    case dhDowngrade
    /// The DH group is not one we offered, or no DH group is shared.
    case unsupportedDHGroup
    /// The peer's DH public value is invalid.
    case invalidDHPublicValue
    /// No HIP cipher in the R1 is acceptable.
    case noCommonHIPCipher
    /// The I2's HIP_CIPHER is not exactly one of the ciphers we offered.
    case invalidHIPCipherChosen
    /// No ESP suite in the R1 is acceptable, or the R1 offers no ESP transport format.
    case noCommonESPSuite
    /// The I2's ESP_TRANSFORM is not exactly one of the suites we offered.
    case invalidESPSuiteChosen
    /// An SPI below 256, or equal to ours.
    case invalidSPI
    /// ESP_INFO's KEYMAT index is not where the ESP keys start.
    case invalidKeymatIndex
    /// The I2 answers an R1 generation we no longer (or never) offered.
    case stalePuzzle
    /// The I2's SOLUTION does not echo the puzzle we would have sent this Initiator (#I, Opaque or #K).
    case puzzleMismatch
    /// The I2's #J does not solve the puzzle.
    case wrongPuzzleSolution
    /// The R1's puzzle is harder than `maximumPuzzleDifficulty`, or has a wrong-length #I.
    case puzzleTooHard
    /// An I2 whose puzzle solution was already used by an accepted I2 (and it is not the retransmission
    /// of the I2 our cached R2 answers).
    case replayedI2
    /// An I2 whose puzzle solution (#I, #J) has already taken `CoreLimits.attemptsPerSolution` I2s past
    /// the puzzle check (replays with other DH values or MACs would each cost us a DH computation).
    case solutionAttemptsExhausted
    /// In I2-SENT, an R1 whose generation counter is not larger than the one we answered (and that is not
    /// a copy of that R1: copies are counted in `Counters.duplicateR1s`).
    case staleR1
    /// In I1-SENT or I2-SENT, an R1 from an address we did not send our I1 to (R1s are pre-signed, so a
    /// replayed one could otherwise steer our I2 elsewhere).
    case r1FromUnexpectedSource
    /// HIP_MAC or HIP_MAC_2 does not verify.
    case macFailed
    /// HIP_SIGNATURE or HIP_SIGNATURE_2 does not verify.
    case signatureFailed
    /// ENCRYPTED does not decrypt (or does not hold a HOST_ID).
    case decryptionFailed
    /// ECHO_RESPONSE_SIGNED does not echo a nonce we sent (CLOSE, or an UPDATE verifying a locator).
    case echoMismatch
    /// A NOTIFY whose signature cannot be verified against a known or included host identity.
    case unauthenticatedNotify
    /// A verified UPDATE whose SEQ is older than the last one processed (a replay; RFC 7401 §6.12.1).
    case staleUpdate
    /// A verified UPDATE whose ESP_INFO names an SPI we do not use, or opens a second SA pair (OLD SPI 0).
    case unsupportedUpdate
    /// An I1 beyond the R1 rate limit of its source address or the total one (RFC 7401 §6.7).
    case rateLimited
    /// No inbound SPI could be allocated, or a crypto operation failed on our side.
    case localFailure
    /// An I2 that would start an association beyond `HostSettings.maximumAssociations`.
    case associationLimit
    /// An R1's NAT_TRAVERSAL_MODE offers no mode we support (RFC 9028 §4.3).
    case noCommonNATTraversalMode
    /// An I2 over UDP without NAT_TRAVERSAL_MODE, or choosing a mode we did not offer (NOTIFY 60).
    case invalidNATTraversalMode
    /// A relayed packet (FROM/RVS_HMAC, RELAY_FROM/RELAY_TO/RELAY_HMAC) whose HMAC does not verify with the
    /// key of a registration, or that came from no registered server (RFC 8004 §3.3, RFC 9028 §5.9).
    case relayHMACFailed
    /// A packet for another host's HIT that no registration lets us forward (RFC 8004, RFC 9028).
    case notRegistered

    public var description: String {
        switch self {
        case .malformed: "malformed"
        case .unsupportedCriticalParameter: "unsupported critical parameter"
        case .badChecksum: "bad checksum"
        case .notForUs: "not for us"
        case .fromOurselves: "from ourselves"
        case .unexpected: "unexpected in this state"
        case .simultaneousOpenYield: "simultaneous open: peer yields to us"
        case .blockedByPolicy: "blocked by policy"
        case .missingParameter: "missing parameter"
        case .invalidParameter: "invalid parameter"
        case .unsupportedHITSuite: "unsupported HIT suite"
        case .unsupportedHostIdentity: "unsupported host identity"
        case .hitMismatch: "HIT does not match HOST_ID"
        case .dhDowngrade: "DH group downgrade"
        case .unsupportedDHGroup: "unsupported DH group"
        case .invalidDHPublicValue: "invalid DH public value"
        case .noCommonHIPCipher: "no common HIP cipher"
        case .invalidHIPCipherChosen: "invalid HIP cipher chosen"
        case .noCommonESPSuite: "no common ESP suite"
        case .invalidESPSuiteChosen: "invalid ESP suite chosen"
        case .invalidSPI: "invalid SPI"
        case .invalidKeymatIndex: "invalid KEYMAT index"
        case .stalePuzzle: "stale puzzle"
        case .puzzleMismatch: "puzzle mismatch"
        case .wrongPuzzleSolution: "wrong puzzle solution"
        case .puzzleTooHard: "puzzle too hard"
        case .replayedI2: "replayed I2"
        case .solutionAttemptsExhausted: "puzzle solution attempts exhausted"
        case .staleR1: "stale R1"
        case .r1FromUnexpectedSource: "R1 from an address our I1 did not go to"
        case .macFailed: "HMAC failed"
        case .signatureFailed: "signature failed"
        case .decryptionFailed: "decryption failed"
        case .echoMismatch: "echo mismatch"
        case .unauthenticatedNotify: "unauthenticated NOTIFY"
        case .staleUpdate: "stale UPDATE"
        case .unsupportedUpdate: "unsupported UPDATE"
        case .rateLimited: "rate limited"
        case .localFailure: "local failure"
        case .noCommonNATTraversalMode: "no common NAT traversal mode"
        case .invalidNATTraversalMode: "invalid NAT traversal mode"
        case .relayHMACFailed: "relay HMAC failed"
        case .notRegistered: "for a host not registered with us"
        case .associationLimit: "association limit reached"
        }
    }
}

// HostSettings: the local policy of a HIP host (offered algorithms, puzzle, timers), validated once.
import HIPCrypto
import HIPWire

/// What a host offers and accepts, and its timers. Build it from the configuration and pass it to
/// `HIPHost.init`, which validates it (`HIPCoreError.invalidSettings`). A value type; use it anywhere.
public struct HostSettings: Sendable {
    /// DH groups in preference order: the I1 DH_GROUP_LIST and the R1 DH_GROUP_LIST (RFC 7401 §5.2.6).
    public var dhGroups: [DHGroup] = [.nistP256, .nistP384, .modp3072, .modp2048, .modp1536]
    /// HIP ciphers in preference order (R1 HIP_CIPHER; the Initiator picks the Responder's first it accepts).
    /// `.null` only with `allowsNullHIPCipher`.
    public var hipCiphers: [HIPCipherID] = [.aes128CBC, .aes256CBC]
    /// ESP suites in preference order (R1 ESP_TRANSFORM). `.nullSHA256` (authentication only) only with
    /// `allowsAuthenticationOnlyESP` (RFC 7402 §3.3.5).
    public var espSuites: [ESPSuiteID] = [.aesGCM16, .aes128CBCSHA256, .aes256CBCSHA256]
    /// HIT suites accepted from Initiators (R1 HIT_SUITE_LIST), in preference order.
    public var hitSuites: [HITSuite] = [.ecdsaSHA384, .rsaSHA256, .eddsaCSHAKE128]
    /// NULL-ENCRYPT may be offered and accepted (testing only, RFC 7401 §5.2.8).
    public var allowsNullHIPCipher = false
    /// Authentication-only ESP may be offered and accepted.
    public var allowsAuthenticationOnlyESP = false
    /// Answer I1s whose Receiver's HIT is NULL (opportunistic mode, RFC 7401 §4.1.8).
    public var acceptsOpportunisticI1 = false

    /// Puzzle difficulty #K we ask of Initiators (bits).
    public var puzzleDifficulty: UInt8 = 4
    /// PUZZLE Lifetime field: the Initiator should solve within 2^(value − 32) s (37 = 32 s).
    public var puzzleLifetime: UInt8 = 37
    /// The hardest puzzle we solve as Initiator; a harder R1 is rejected (`.puzzleTooHard`).
    public var maximumPuzzleDifficulty: UInt8 = 20
    /// Adaptive difficulty: while I2s that solved the puzzle keep failing later checks (someone is buying
    /// our DH work with cheap solutions), each new R1 generation asks #K up to this many bits; calm
    /// generations bring it back to `puzzleDifficulty`. At or below `puzzleDifficulty`: no adaptation.
    /// It is also the #K of R1s to addresses not known for the claimed HIT during an I1 flood (I1s
    /// refused for `r1RatePerSecond`).
    /// Keep it at most the peers' `maximumPuzzleDifficulty` (20 by default), or they refuse our R1s.
    public var puzzleDifficultyCeiling: UInt8 = 16
    /// How long one puzzle secret (and R1 generation, with its DH keys) is offered; the previous one stays
    /// valid for I2s for one more period.
    public var puzzleSecretLifetime: Duration = .seconds(120)

    /// I1 retransmission (I1_RETRIES_MAX); E-FAILED when exhausted.
    public var i1Retransmission = RetransmissionPolicy(initialTimeout: .seconds(1), maximumTimeout: .seconds(8),
                                                        maximumRetries: 4)
    /// I2 retransmission (I2_RETRIES_MAX); E-FAILED when exhausted.
    public var i2Retransmission = RetransmissionPolicy(initialTimeout: .seconds(1), maximumTimeout: .seconds(8),
                                                        maximumRetries: 4)
    /// CLOSE retransmission; CLOSING gives up after `closingTimeout` in any case.
    public var closeRetransmission = RetransmissionPolicy(initialTimeout: .seconds(1), maximumTimeout: .seconds(16),
                                                           maximumRetries: 6)
    /// UPDATE retransmission (UPDATE_RETRY_MAX, RFC 7401 §6.12.1); retransmissions also try the peer's other
    /// locators. Short at first: a host that moved has no traffic until the UPDATE gets through.
    public var updateRetransmission = RetransmissionPolicy(initialTimeout: .milliseconds(250), maximumTimeout: .seconds(4),
                                                            maximumRetries: 7)
    /// Locator Lifetime announced in our LOCATOR_SETs, in seconds (RFC 8046 §4).
    public var locatorLifetime: UInt32 = 3600
    /// Rekey the SA pair this long after it was installed (RFC 7402 §6); nil = never by age.
    public var rekeyInterval: Duration? = .seconds(3600)
    /// Our rekeys carry a new DIFFIE_HELLMAN (fresh keys independent of the old ones); without it the new
    /// ESP keys are drawn further along the existing KEYMAT (a new DH is used anyway once it runs out).
    public var rekeysWithDiffieHellman = true
    /// How long an inbound SA replaced by a rekey keeps opening packets when no traffic arrives on the new
    /// one (RFC 7402 §6.9: it goes as soon as the new one carries traffic).
    public var saDrainTime: Duration = .seconds(10)
    /// Unused Association Lifetime (RFC 7401 §4.4.3 UAL): an ESTABLISHED association whose SAs carried no
    /// packet and that received no UPDATE for this long is closed; nil keeps idle associations.
    public var unusedAssociationLifetime: Duration? = nil
    /// Exchange Complete: R2-SENT moves to ESTABLISHED after this without traffic (RFC 7401 §4.4.1:
    /// about the Initiator's whole I2 retransmission time). nil: `i2Retransmission.totalDuration`.
    public var exchangeCompleteTimeout: Duration? = nil
    /// CLOSING lasts at most this long (UAL + MSL in RFC 7401 Table 7).
    public var closingTimeout: Duration = .seconds(120)
    /// CLOSED is kept this long to answer retransmitted CLOSEs (UAL + 2 MSL in RFC 7401 Table 8).
    public var closedLinger: Duration = .seconds(240)
    /// E-FAILED is kept this long before a new exchange may start (RFC 7401 Table 9).
    public var failedHoldDown: Duration = .seconds(5)
    /// R1s sent per second at most, in total (RFC 7401 §6.7: R1s MUST be rate limited); I1s beyond are
    /// dropped (`.rateLimited`). Bounds our whole R1 output (bandwidth toward spoofed sources). I1s from an
    /// address known for the HIT they claim (configured locators, addresses of past associations) are not
    /// counted here: each such address has `r1RatePerSourcePerSecond` of its own.
    public var r1RatePerSecond: Int = 1000
    /// R1s sent per second at most to one source address (bursts of as many), checked before the total:
    /// bounds the R1s reflected toward one spoofed victim, and one flooding source cannot use up the total.
    /// Sources share 1024 buckets by a keyed hash (key drawn per host, so collisions cannot be aimed).
    public var r1RatePerSourcePerSecond: Int = 10
    /// Cached R2s sent again for copies of an accepted I2, per second in total and per source address
    /// (beyond: dropped, `.rateLimited`): a replayed I2 from spoofed sources must not draw unbounded R2s.
    public var duplicateI2RatePerSecond: Int = 100
    public var duplicateI2RatePerSourcePerSecond: Int = 2
    /// Signed NOTIFYs we send in answer to unauthenticated input (unknown critical parameters, rejected
    /// I2 proposals), per second: bounds the signing work an attacker can cause.
    public var notifyRatePerSecond: Int = 10
    /// Authenticated notifications reported (`Report.notified`) per second at most; replayed or duplicated
    /// NOTIFYs beyond are counted in `Counters.notifyReportsSuppressed`, not reported.
    public var notifyReportRatePerSecond: Int = 10
    /// Packets a rendezvous server or relay forwards per second for one source address (beyond: dropped,
    /// `.rateLimited`); the clients' own budget protects them from a flood through us.
    public var relayRatePerSourcePerSecond: Int = 200
    /// Associations with peers the policy limits (`PeerPolicy.isLimited`: all of them by default) at most,
    /// in any state (CLOSED and E-FAILED count until they expire): bounds what strangers can make us keep
    /// when the policy lets anyone in. Beyond, an I2 that would start one more is refused after its puzzle
    /// (`.associationLimit`, answered with NOTIFY RESPONDER_BUSY_PLEASE_RETRY within the NOTIFY rate), and
    /// so is our own new exchange (`FailureReason.associationLimit`).
    public var maximumAssociations: Int = 1024
    /// Keep each association's KEYMAT inputs (the DH secret Kij, #I, #J) and hand them out in
    /// `SecurityAssociationPair.keymatInputs`, for a keylog. Off: they are not handed out (the session still
    /// holds its KEYMAT, Kij included, for rekeys without Diffie-Hellman until a rekey with one replaces it).
    public var exportsKeymatInputs = false
    /// NAT traversal modes (`NATTraversalMode`) offered in R1 and accepted in I2, in preference order (RFC 9028
    /// §4.3). An I2 over UDP must choose one of them (else NOTIFY NO_VALID_NAT_TRAVERSAL_MODE_PARAMETER).
    public var natTraversalModes: [UInt16] = [NATTraversalMode.udpEncapsulation]
    /// NAT keepalive (RFC 9028 §4.10): a NOTIFY NAT_KEEPALIVE on an association's UDP path after this long with
    /// nothing sent on it (HIP or, per `Event.trafficCounts`, ESP); at least 15 seconds; nil: none.
    public var natKeepaliveInterval: Duration? = .seconds(15)
    /// The services we offer others (REG_INFO in R1, RFC 8003), nil: none.
    public var registrar: Registrar?
    /// The services to register for with each server, by its HIT (REG_REQUEST in I2 and, for renewal, in
    /// UPDATE, RFC 8003 §3). The lifetime asked for is the registrar's maximum, capped at
    /// `requestedRegistrationLifetime`.
    public var registrations: [HIT: [UInt8]] = [:]
    /// The longest registration lifetime we ask for (RFC 8003 §5 encoding; 159 ≈ 1 hour).
    public var requestedRegistrationLifetime: UInt8 = 159
    /// Our UDP port (host candidates carry it, RFC 9028 §4.2).
    public var udpPort: UInt16 = HIPProtocol.udpPort
    /// Connectivity checks to a peer's candidates (RFC 9028 §4.6; at least 1 s, App. B): 1, 2, 4, 4, 4 s,
    /// then the candidate is given up (about 15 s).
    public var checkRetransmission = RetransmissionPolicy(initialTimeout: .seconds(1), maximumTimeout: .seconds(4),
                                                          maximumRetries: 4)

    /// What a registrar offers (RFC 8003 §3.1) and to whom.
    public struct Registrar: Sendable {
        /// Registration types offered (`RegistrationType`).
        public var types: [UInt8]
        /// The lifetimes granted (RFC 8003 §5 encoding): 96 = 16 s to 128 = 256 s by default. Clients renew
        /// at half the lifetime, so after a restart of ours they notice within about two minutes (their
        /// renewal goes unanswered) and register again.
        public var minimumLifetime: UInt8 = 96
        public var maximumLifetime: UInt8 = 128
        /// Who may register; nil: anyone the policy admits to the base exchange.
        public var allowed: Set<HIT>?
        /// Data Relay routes kept per client (the oldest go first; a rekey adds one).
        public var routesPerClient = 16

        public init(types: [UInt8], allowed: Set<HIT>? = nil) {
            self.types = types
            self.allowed = allowed
        }
    }

    public init() {}

    var effectiveExchangeCompleteTimeout: Duration {
        exchangeCompleteTimeout ?? i2Retransmission.totalDuration
    }

    /// The hardest #K adaptive difficulty asks (never below `puzzleDifficulty`).
    var effectivePuzzleDifficultyCeiling: UInt8 { max(puzzleDifficultyCeiling, puzzleDifficulty) }

    /// Why these settings cannot be used, or nil.
    func validationError() -> String? {
        if dhGroups.isEmpty { return "dhGroups is empty" }
        if Set(dhGroups.map(\.rawValue)).count != dhGroups.count { return "dhGroups has duplicates" }
        if hipCiphers.isEmpty { return "hipCiphers is empty" }
        if hipCiphers.count > CoreProtocol.maximumOfferedTransforms { return "more than 6 hipCiphers" }
        if hipCiphers.contains(.null) && !allowsNullHIPCipher { return "hipCiphers has NULL but allowsNullHIPCipher is false" }
        if espSuites.isEmpty { return "espSuites is empty" }
        if espSuites.count > CoreProtocol.maximumOfferedTransforms { return "more than 6 espSuites" }
        if espSuites.contains(.nullSHA256) && !allowsAuthenticationOnlyESP {
            return "espSuites has NULL-SHA256 but allowsAuthenticationOnlyESP is false"
        }
        if hitSuites.isEmpty { return "hitSuites is empty" }
        if puzzleDifficulty > maximumPuzzleDifficulty { return "puzzleDifficulty exceeds maximumPuzzleDifficulty" }
        if Int(puzzleLifetime) < CoreProtocol.puzzleLifetimeBias { return "puzzleLifetime below 32" }
        if puzzleSecretLifetime <= .zero { return "puzzleSecretLifetime must be positive" }
        for (name, policy) in [("i1Retransmission", i1Retransmission), ("i2Retransmission", i2Retransmission),
                               ("closeRetransmission", closeRetransmission),
                               ("updateRetransmission", updateRetransmission),
                               ("checkRetransmission", checkRetransmission)] where !policy.isValid {
            return "\(name) is invalid"
        }
        if notifyRatePerSecond < 0 { return "notifyRatePerSecond is negative" }
        if r1RatePerSecond < 0 { return "r1RatePerSecond is negative" }
        if r1RatePerSourcePerSecond < 0 { return "r1RatePerSourcePerSecond is negative" }
        if duplicateI2RatePerSecond < 0 || duplicateI2RatePerSourcePerSecond < 0 { return "duplicateI2 rates are negative" }
        if notifyReportRatePerSecond < 0 { return "notifyReportRatePerSecond is negative" }
        if relayRatePerSourcePerSecond < 0 { return "relayRatePerSourcePerSecond is negative" }
        if maximumAssociations < 0 { return "maximumAssociations is negative" }
        if locatorLifetime == 0 { return "locatorLifetime must be positive" }
        if let rekeyInterval, rekeyInterval <= .zero { return "rekeyInterval must be positive" }
        if saDrainTime < .zero { return "saDrainTime is negative" }
        if natTraversalModes.isEmpty || natTraversalModes.count > CoreProtocol.maximumOfferedTransforms {
            return "natTraversalModes must have 1 to 6 entries"
        }
        if !natTraversalModes.contains(NATTraversalMode.udpEncapsulation) {
            return "natTraversalModes must contain UDP-ENCAPSULATION (RFC 9028 makes it mandatory)"
        }
        if let registrar, registrar.minimumLifetime > registrar.maximumLifetime || registrar.routesPerClient < 1 {
            return "registrar lifetimes or routesPerClient invalid"
        }
        if let natKeepaliveInterval, natKeepaliveInterval < CoreProtocol.minimumNATKeepalive {
            return "natKeepaliveInterval below 15 seconds (RFC 9028 §4.10)"
        }
        if let unusedAssociationLifetime, unusedAssociationLifetime <= .zero {
            return "unusedAssociationLifetime must be positive"
        }
        return nil
    }
}

// RetransmissionPolicy: timeouts with exponential backoff for I1, I2 and CLOSE (RFC 7401 §6.6, §6.8 step
// 18, §4.4.3 Table 7).

/// How often and how long to retransmit one packet: the first timeout is `initialTimeout`, each next one
/// doubles up to `maximumTimeout`; after `maximumRetries` retransmissions the next timeout gives up.
/// A value type; use it anywhere.
public struct RetransmissionPolicy: Hashable, Sendable {
    public var initialTimeout: Duration
    public var maximumTimeout: Duration
    /// Retransmissions after the first transmission (I1_RETRIES_MAX, I2_RETRIES_MAX).
    public var maximumRetries: Int

    public init(initialTimeout: Duration, maximumTimeout: Duration, maximumRetries: Int) {
        self.initialTimeout = initialTimeout
        self.maximumTimeout = maximumTimeout
        self.maximumRetries = maximumRetries
    }

    /// The timeout that follows transmission number `attempt` (0 = the first transmission).
    public func timeout(afterAttempt attempt: Int) -> Duration {
        var timeout = initialTimeout
        for _ in 0..<min(attempt, 32) {
            timeout = timeout * 2
            if timeout >= maximumTimeout { return maximumTimeout }
        }
        return min(timeout, maximumTimeout)
    }

    /// The time from the first transmission until the policy gives up.
    public var totalDuration: Duration {
        (0...max(0, maximumRetries)).reduce(Duration.zero) { $0 + timeout(afterAttempt: $1) }
    }

    var isValid: Bool {
        initialTimeout > .zero && maximumTimeout >= initialTimeout && maximumRetries >= 0
    }
}

/// The timer of one retransmitted packet: which transmission was last and when the next is due.
struct Retransmission: Sendable {
    let policy: RetransmissionPolicy
    private(set) var attempt = 0
    private(set) var deadline: Instant

    init(policy: RetransmissionPolicy, sentAt now: Instant) {
        self.policy = policy
        self.deadline = now + policy.timeout(afterAttempt: 0)
    }

    /// Called when `deadline` has passed: true if the packet should be sent again (and the next deadline is
    /// set), false if the retries are exhausted.
    mutating func expire(now: Instant) -> Bool {
        guard attempt < policy.maximumRetries else { return false }
        attempt += 1
        deadline = now + policy.timeout(afterAttempt: attempt)
        return true
    }
}

// UnknownSPIRecovery: whether ESP with an unknown SPI from a peer's address may start a base exchange.
//
// Such ESP means the peer still uses SAs we no longer have (we restarted, or our exchange with it failed
// and its hold-down ended), so a new exchange replaces them. But anyone can send it with a peer's source
// address, so:
//   association state: none → may start one; an exchange running (I1/I2/R2-SENT), ESTABLISHED, CLOSING or
//     CLOSED → never (a new incarnation would tear down an association that is in use or being closed);
//     E-FAILED → never (the host refuses new exchanges during the hold-down; the association is gone
//     after it, and the next unknown SPI finds none)
//   per peer: at most one exchange per `backoff`; the rest are counted in `suppressed`
//   memory: one instant per peer that started one within `backoff`, at most `peerLimit` (expired entries
//     are forgotten when the table is full; if none has expired, the peer waits: suppressed)
import HIPCore
import HIPWire

/// The unknown-SPI backoff. Owned by the control thread; a value type.
struct UnknownSPIRecovery {
    let backoff: Duration
    let peerLimit: Int
    private var startedAt: [HIT: Instant] = [:]
    /// Exchanges started because of an unknown SPI.
    private(set) var started: UInt64 = 0
    /// Unknown-SPI reports for a peer that did not start one (backoff, or the table was full).
    private(set) var suppressed: UInt64 = 0

    init(backoff: Duration, peerLimit: Int) {
        self.backoff = backoff
        self.peerLimit = peerLimit
    }

    /// Peers remembered now (at most `peerLimit`).
    var rememberedPeers: Int { startedAt.count }

    /// Whether ESP with an unknown SPI from `peer`'s address at `now` starts a base exchange with it, given
    /// its association's `state` (nil: none). A true answer is counted in `started` and starts the backoff.
    mutating func admit(_ peer: HIT, state: AssociationState?, now: Instant) -> Bool {
        guard state == nil else { return false }
        if let last = startedAt[peer], now - last < backoff {
            suppressed += 1
            return false
        }
        if startedAt[peer] == nil && startedAt.count >= peerLimit {
            startedAt = startedAt.filter { now - $0.value < backoff }
            guard startedAt.count < peerLimit else {
                suppressed += 1
                return false
            }
        }
        startedAt[peer] = now
        started += 1
        return true
    }
}

// PeerLocatorSet: where a peer can be reached, each locator with its RFC 8046 §5.4 state, and the one that
// carries traffic.
//
//   UNVERIFIED  announced (LOCATOR_SET), configured, or the source of authentic ESP: HIP signaling may go
//               there, data does not (credit 0 in RFC 8046 §5.6 terms) until an echo comes back
//   ACTIVE      verified by ECHO_REQUEST_SIGNED / ECHO_RESPONSE_SIGNED, or the address of the base exchange
//   DEPRECATED  left out of the peer's latest LOCATOR_SET, or not answering a verification: kept to
//               recognise it; traffic stays on a DEPRECATED current locator until another one is verified
// Locator lifetimes are not tracked: a peer's next LOCATOR_SET replaces the set.
//
// The set is bounded (`CoreLimits.peerLocators`): a hostile peer cannot grow it; the oldest unverified
// locators make room first.
import HIPWire

/// A peer's locators. A value type inside the association; no I/O.
struct PeerLocatorSet: Sendable {
    enum State: Hashable, Sendable, CustomStringConvertible {
        case unverified
        case active
        case deprecated

        var description: String {
            switch self {
            case .unverified: "UNVERIFIED"
            case .active: "ACTIVE"
            case .deprecated: "DEPRECATED"
            }
        }
    }

    struct Entry: Hashable, Sendable {
        var endpoint: Endpoint
        var state: State
    }

    private(set) var entries: [Entry]
    /// The locator ESP goes to (always ACTIVE when it changes; it may become DEPRECATED afterwards, then
    /// traffic goes on there until another one is verified).
    private(set) var current: Endpoint

    /// A set holding the base exchange's locator, ACTIVE and current.
    init(established endpoint: Endpoint) {
        entries = [Entry(endpoint: endpoint, state: .active)]
        current = endpoint
    }

    func state(of endpoint: Endpoint) -> State? { entries.first { $0.endpoint == endpoint }?.state }

    /// Adds `endpoint` as UNVERIFIED unless it is known (a known one keeps its state; a DEPRECATED one
    /// becomes UNVERIFIED again: it must be verified before it carries traffic). Returns whether it is new.
    /// A full set makes room by dropping an unverified (else any) locator other than the current one and
    /// those in `keeping`.
    @discardableResult
    mutating func add(_ endpoint: Endpoint, keeping: Set<Endpoint> = []) -> Bool {
        if let index = entries.firstIndex(where: { $0.endpoint == endpoint }) {
            if entries[index].state == .deprecated { entries[index].state = .unverified }
            return false
        }
        if entries.count >= CoreLimits.peerLocators {
            let kept = keeping.union([current])
            let evictable = { (entry: Entry) in !kept.contains(entry.endpoint) }
            guard let victim = entries.firstIndex(where: { $0.state != .active && evictable($0) })
                    ?? entries.firstIndex(where: evictable) else { return false }
            entries.remove(at: victim)
        }
        entries.append(Entry(endpoint: endpoint, state: .unverified))
        return true
    }

    /// A LOCATOR_SET replaces the announced set (RFC 8046 §5.3): listed endpoints are added (or refreshed),
    /// the others become DEPRECATED.
    /// At most `CoreLimits.peerLocators − 1` are taken (the current locator keeps its place), and adding
    /// one never drops another of the same set.
    mutating func replace(with announced: [Endpoint]) {
        let taken = Array(announced.prefix(CoreLimits.peerLocators - 1))
        let listed = Set(taken)
        for index in entries.indices where !listed.contains(entries[index].endpoint) {
            entries[index].state = .deprecated
        }
        for endpoint in taken { add(endpoint, keeping: listed) }
    }

    /// An echo from `endpoint` came back: it is ACTIVE.
    mutating func verified(_ endpoint: Endpoint) {
        guard let index = entries.firstIndex(where: { $0.endpoint == endpoint }) else { return }
        entries[index].state = .active
    }

    /// Verification of `endpoint` failed (no answer): it is DEPRECATED.
    mutating func unreachable(_ endpoint: Endpoint) {
        guard let index = entries.firstIndex(where: { $0.endpoint == endpoint }) else { return }
        entries[index].state = .deprecated
    }

    /// ESP goes to `endpoint` from now on, if it is ACTIVE (false: unchanged).
    mutating func use(_ endpoint: Endpoint) -> Bool {
        guard state(of: endpoint) == .active else { return false }
        current = endpoint
        return true
    }

    /// Whether the current locator should be replaced: it was deprecated by the peer or stopped answering.
    var currentIsDeprecated: Bool { state(of: current) != .active }

    /// The locator to verify next and move to: the first UNVERIFIED one that `usable` accepts, in
    /// `preference` order (the peer's preferred locator first), else in the set's order.
    func candidate(preferring preference: [Endpoint] = [], usable: (Endpoint) -> Bool = { _ in true }) -> Endpoint? {
        let unverified = entries.filter { $0.state == .unverified && usable($0.endpoint) }.map(\.endpoint)
        return preference.first(where: unverified.contains) ?? unverified.first
    }

    /// An ACTIVE locator other than the current one that `usable` accepts (to move to without a new check).
    func activeAlternative(usable: (Endpoint) -> Bool) -> Endpoint? {
        entries.first { $0.state == .active && $0.endpoint != current && usable($0.endpoint) }?.endpoint
    }

    /// Where an UPDATE goes on its `attempt`-th transmission when it is not bound to one locator: the
    /// current locator first, then (every other attempt) the peer's other locators in turn, ACTIVE first.
    /// Endpoints `usable` rejects (no local address of their family) are skipped.
    func destination(forAttempt attempt: Int, usable: (Endpoint) -> Bool = { _ in true }) -> Endpoint {
        let others = (entries.filter { $0.state == .active } + entries.filter { $0.state == .unverified }
                      + entries.filter { $0.state == .deprecated }).map(\.endpoint).filter { $0 != current && usable($0) }
        guard !others.isEmpty else { return current }
        guard usable(current) else { return others[attempt % others.count] }
        guard attempt >= 2, attempt % 2 == 0 else { return current }
        return others[(attempt / 2 - 1) % others.count]
    }
}

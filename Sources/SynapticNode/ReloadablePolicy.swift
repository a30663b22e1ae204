// ReloadablePolicy: the peer policy HIPHost consults, replaceable on SIGHUP without a new host.
import HIPCore
import HIPWire
import Synchronization

/// The allowed peers (`NodeConfiguration.effectivePolicy`) and the configured ones behind a lock. Peers
/// that are not configured count toward `HostSettings.maximumAssociations`. `allows` and `isLimited` are
/// called by HIPHost on the control thread; `replace` by the control thread on reload. Thread-safe either way.
final class ReloadablePolicy: PeerPolicy {
    private struct State {
        var allowed: AllowedPeers
        var configured: Set<HIT>

        init(_ configuration: NodeConfiguration) {
            allowed = configuration.effectivePolicy
            configured = Set(configuration.knownPeers.map(\.hit))
        }
    }

    private let current: Mutex<State>

    init(_ configuration: NodeConfiguration) {
        current = Mutex(State(configuration))
    }

    func allows(_ peer: HIT) -> Bool {
        current.withLock { $0.allowed.allows(peer) }
    }

    func isLimited(_ peer: HIT) -> Bool {
        current.withLock { !$0.configured.contains(peer) }
    }

    /// Installs the policy and peers of `configuration`; returns whether the allowed peers changed.
    func replace(with configuration: NodeConfiguration) -> Bool {
        let new = State(configuration)
        return current.withLock { state in
            defer { state = new }
            return state.allowed != new.allowed
        }
    }
}

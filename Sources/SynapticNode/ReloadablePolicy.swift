// ReloadablePolicy: the peer policy HIPHost consults, replaceable on SIGHUP without a new host.
import HIPCore
import HIPWire
import Synchronization

/// An `AllowedPeers` behind a lock. `allows` is called by HIPHost on the control thread; `replace` by the
/// control thread on reload. Thread-safe either way.
final class ReloadablePolicy: PeerPolicy {
    private let current: Mutex<AllowedPeers>

    init(_ policy: AllowedPeers) {
        current = Mutex(policy)
    }

    func allows(_ peer: HIT) -> Bool {
        current.withLock { $0.allows(peer) }
    }

    var policy: AllowedPeers { current.withLock { $0 } }

    /// Installs `policy`; returns whether it differs from the previous one.
    func replace(with policy: AllowedPeers) -> Bool {
        current.withLock { old in
            defer { old = policy }
            return old != policy
        }
    }
}

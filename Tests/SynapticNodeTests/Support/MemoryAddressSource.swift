// MemoryAddressSource: local address changes told by the test (LocalAddressSource), as the AddressMonitor
// reports the kernel's: `replace(with:)` → the removed and added addresses queue as changes → the control
// plane reads them (readable while they wait, through a ReadinessSignal) and announces the new list.
import Synchronization
import SynapticPlatform
@testable import SynapticNode

/// An address source double. `replace` from the test's thread; `read` and `currentAddresses` from the
/// control thread.
final class MemoryAddressSource: LocalAddressSource {
    private struct State {
        var current: [InterfaceAddress]
        var changes: [AddressMonitor.Change] = []
    }

    private let state: Mutex<State>
    private let readable = ReadinessSignal()

    init(_ addresses: [InterfaceAddress]) {
        state = Mutex(State(current: addresses))
    }

    var fileDescriptor: Int32 { readable.fileDescriptor }

    /// The host's addresses are now `addresses`: the differences queue as changes.
    func replace(with addresses: [InterfaceAddress]) {
        state.withLock { state in
            let removed = state.current.filter { !addresses.contains($0) }.map(AddressMonitor.Change.addressRemoved)
            let added = addresses.filter { !state.current.contains($0) }.map(AddressMonitor.Change.addressAdded)
            guard !removed.isEmpty || !added.isEmpty else { return }
            if state.changes.isEmpty { readable.set() }
            state.changes += removed + added
            state.current = addresses
        }
    }

    func read() throws(SystemError) -> [AddressMonitor.Change] {
        state.withLock { state in
            defer { state.changes = [] }
            if !state.changes.isEmpty { readable.clear() }
            return state.changes
        }
    }

    func currentAddresses() throws(SystemError) -> [InterfaceAddress] {
        state.withLock { $0.current }
    }

    /// Closes the descriptor; after the control plane stopped.
    func close() {
        readable.close()
    }
}

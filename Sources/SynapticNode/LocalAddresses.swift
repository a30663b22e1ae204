// LocalAddresses: this host's usable addresses as the kernel reports them (AddressMonitor), in the order
// our LOCATOR_SETs announce them.
//
// Stages: dump at start (or after an overflow) → `replace`; each notification → `apply` (an address
// that is not usable as a locator — tentative during duplicate address detection (unless optimistic), DAD
// failed, link-local, loopback, our own HIT or LSI — is removed, so an IPv6 address appears once DAD lets
// it be used) → `list`:
// preferred addresses first (not deprecated), IPv4 before IPv6 within each, each address once.
import HIPWire
import SynapticPlatform

/// A value owned by the control thread; no I/O.
struct LocalAddresses {
    private var byAddress: [InetAddress: InterfaceAddress] = [:]

    /// Starts over from a dump of the kernel's addresses.
    mutating func replace(with addresses: [InterfaceAddress]) {
        byAddress = [:]
        for address in addresses where address.isUsableAsLocator { byAddress[address.prefix.address] = address }
    }

    /// Applies one change from the monitor.
    mutating func apply(_ change: AddressMonitor.Change) {
        switch change {
        case .addressAdded(let address):
            byAddress[address.prefix.address] = address.isUsableAsLocator ? address : nil
        case .addressRemoved(let address):
            byAddress[address.prefix.address] = nil
        case .routesChanged, .resyncNeeded:
            break
        }
    }

    /// The usable addresses, in announcement order.
    var list: [IPAddress] {
        byAddress.values.sorted { a, b in
            if a.isDeprecated != b.isDeprecated { return !a.isDeprecated }
            if (a.prefix.address.family == .v4) != (b.prefix.address.family == .v4) { return a.prefix.address.family == .v4 }
            return IPAddress(a.prefix.address).bytes.lexicographicallyPrecedes(IPAddress(b.prefix.address).bytes)
        }.map { IPAddress($0.prefix.address) }
    }
}

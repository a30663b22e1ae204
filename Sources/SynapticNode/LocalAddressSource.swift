// LocalAddressSource: where the control plane hears that this host's addresses changed (the seam the
// virtual-network tests fill to move a host).
//
//   readable (EventPoller on `fileDescriptor`) → read() the changes → LocalAddresses.apply each
//   `.resyncNeeded` among them → currentAddresses() → LocalAddresses.replace
//
// On a real host it is the AddressMonitor (rtnetlink), whose resync dumps the kernel's addresses again
// (RouteNetlink). A double makes itself pollable with a descriptor of its own (an eventfd readable while
// changes wait).
import SynapticPlatform

/// Local address changes, in the order they happened.
///
/// Concurrency: `read()` and `currentAddresses()` from the control thread only; `fileDescriptor` from any.
/// Errors: a failed `read()` means no more changes will be heard (the control plane stops listening and
/// logs it); a failed `currentAddresses()` keeps the addresses known so far.
protocol LocalAddressSource: AnyObject, Sendable {
    /// A descriptor that polls readable while changes wait (level-triggered).
    var fileDescriptor: Int32 { get }
    /// The changes queued so far, without blocking; empty when none waited.
    func read() throws(SystemError) -> [AddressMonitor.Change]
    /// Every address usable as a locator now (after `.resyncNeeded`).
    func currentAddresses() throws(SystemError) -> [InterfaceAddress]
}

extension AddressMonitor: LocalAddressSource {
    func currentAddresses() throws(SystemError) -> [InterfaceAddress] {
        try RouteNetlink().usableAddresses()
    }
}

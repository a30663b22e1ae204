// AddressMonitor: the kernel's notifications of address and route changes, so the node hears a local
// address appear or disappear (and sends UPDATEs, RFC 8046) instead of polling.
//
// A NETLINK_ROUTE socket bound to the multicast groups RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
// RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE: the kernel queues one datagram per change on it (RTM_NEWADDR,
// RTM_DELADDR, RTM_NEWROUTE, RTM_DELROUTE), whoever made the change.
//
// Stages, in this order (`start()` does 1 and 2):
//   (1) subscribe: open the socket bound to the groups; from now on every change is queued;
//   (2) dump: list the current addresses (RouteNetlink.usableAddresses);
//   (3) read changes (`read()`) whenever the EventPoller reports the socket readable.
// Subscribing first makes it race-free: a change made between (1) and (2) is both in the dump and in the
// queue, and applying it again changes nothing; dumping first would lose a change made between the two.
//
// Applying changes: keep the usable addresses keyed by address. `.addressAdded` inserts or replaces the
// address when it `isUsableAsLocator`, else removes it (the kernel also sends RTM_NEWADDR when the flags
// of an address change: DAD finished, DAD failed, deprecated); `.addressRemoved` removes. Applied in
// order, the set ends equal to the kernel's, even when a change read after a dump is older than the dump.
//
// Overflow: when changes come faster than they are read, the kernel drops notifications and the next
// receive fails once with ENOBUFS. The queue is then incomplete: `read()` drops what it read in that call
// and returns `.resyncNeeded` alone; the caller dumps again (stage 2), still subscribed.
//
// Defence: datagrams not sent by the kernel (another process with CAP_NET_ADMIN may send to our port) are
// skipped and counted (`foreignDatagrams`); messages of other types are skipped; datagrams or messages
// that do not parse are skipped and counted (`malformedMessages`). Nothing here traps on input.

import CSynapticShims
import Glibc
import Synchronization

/// A subscription to the kernel's address and route changes in the network namespace of the thread that
/// creates it.
///
/// Sendable: `fileDescriptor` and the counters from any thread; `read()` from one thread at a time (the one
/// that waits on the EventPoller: changes must be applied in the order read); `close()` once no read runs.
/// Control path: `read()` allocates its receive buffer and its result. Errors are `SystemError`s naming the
/// call: `init` fails as socket(2), bind(2) or setsockopt(2) do (EMFILE, ENOMEM); `start()` also as
/// RouteNetlink's dump does; `read()` throws only what a retry cannot fix (EBADF after `close()`). ENOBUFS,
/// datagrams from other processes and malformed messages are not errors (see the file comment).
public final class AddressMonitor: Sendable {
    /// One change reported by the kernel.
    public enum Change: Hashable, Sendable {
        /// RTM_NEWADDR: the address was added, or its flags changed (e.g. DAD finished, it became
        /// deprecated). Check `isUsableAsLocator`: an address may be added while tentative.
        case addressAdded(InterfaceAddress)
        /// RTM_DELADDR: the address was removed.
        case addressRemoved(InterfaceAddress)
        /// RTM_NEWROUTE or RTM_DELROUTE: at least one route changed, so the kernel may now pick another
        /// local address toward a peer. One marker per `read()`, after its address changes.
        case routesChanged
        /// The kernel dropped changes (ENOBUFS: the receive buffer overflowed). Replace the addresses with
        /// a fresh dump. Returned alone.
        case resyncNeeded
    }

    /// The multicast groups joined.
    static let groups = UInt32(SYNAPTIC_RTMGRP_IPV4_IFADDR | SYNAPTIC_RTMGRP_IPV6_IFADDR
                               | SYNAPTIC_RTMGRP_IPV4_ROUTE | SYNAPTIC_RTMGRP_IPV6_ROUTE)

    private let descriptor: Descriptor
    private let malformed = Atomic<Int>(0)
    private let foreign = Atomic<Int>(0)

    /// Subscribes (stage 1 only): opens a non-blocking, close-on-exec NETLINK_ROUTE socket bound to the
    /// address and route groups, with a receive buffer of `receiveBufferBytes` (forced past
    /// net.core.rmem_max with CAP_NET_ADMIN). Use `start()` unless you dump yourself afterwards.
    public init(receiveBufferBytes: Int = PlatformLimits.addressMonitorReceiveBuffer) throws(SystemError) {
        descriptor = try NetlinkSocket.open(groups: AddressMonitor.groups, nonBlocking: true).descriptor
        try SocketSetup.setBufferSize(descriptor.rawValue, .receive, bytes: receiveBufferBytes)
    }

    /// Subscribes, then dumps (stages 1 and 2, in this order: see the file comment). Returns the monitor
    /// and the addresses usable as locators at the time of the dump.
    public static func start(receiveBufferBytes: Int = PlatformLimits.addressMonitorReceiveBuffer)
        throws(SystemError) -> (monitor: AddressMonitor, addresses: [InterfaceAddress]) {
        let monitor = try AddressMonitor(receiveBufferBytes: receiveBufferBytes)
        let netlink = try RouteNetlink()
        defer { netlink.close() }
        return (monitor, try netlink.usableAddresses())
    }

    /// The descriptor, for registering with an EventPoller (readable, level-triggered); -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Datagrams or messages skipped because they did not parse (truncated, a length or an attribute that
    /// overruns its message, an address message without a usable address).
    public var malformedMessages: Int { malformed.load(ordering: .relaxed) }

    /// Datagrams skipped because another process, not the kernel, sent them.
    public var foreignDatagrams: Int { foreign.load(ordering: .relaxed) }

    /// Closes the socket. Idempotent; stop the reading thread first.
    public func close() {
        descriptor.close()
    }

    /// Reads the changes queued so far without blocking, at most
    /// `PlatformLimits.addressMonitorDatagramsPerRead` datagrams (the poller reports the socket again if
    /// more wait). Empty when nothing was queued; `[.resyncNeeded]` after an overflow.
    public func read() throws(SystemError) -> [Change] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: PlatformLimits.netlinkReceiveBuffer, alignment: 8)
        defer { buffer.deallocate() }
        var batch = ChangeBatch()
        defer { malformed.add(batch.malformed, ordering: .relaxed) }
        for _ in 0..<PlatformLimits.addressMonitorDatagramsPerRead {
            let received: (length: Int, sender: UInt32)?
            do {
                received = try NetlinkSocket.receive(descriptor.rawValue, into: buffer, call: "recv(address monitor)")
            } catch where error.errno == ENOBUFS {
                batch.overflowed = true
                continue
            }
            guard let (length, sender) = received else { break }
            guard sender == 0 else {
                foreign.add(1, ordering: .relaxed)
                continue
            }
            batch.add(UnsafeRawBufferPointer(buffer), length: length)
        }
        return batch.result
    }

    /// What one `read()` gathers from its datagrams. A value, so the parsing is tested without a socket.
    struct ChangeBatch {
        /// Address changes in the order the kernel sent them.
        var changes: [Change] = []
        var routesChanged = false
        /// An ENOBUFS was seen: the changes are incomplete.
        var overflowed = false
        /// Datagrams and messages skipped because they did not parse.
        var malformed = 0

        /// Adds the changes of a datagram of `length` bytes received into `buffer` (MSG_TRUNC: a `length`
        /// beyond the buffer means the datagram was truncated, and is counted as malformed).
        mutating func add(_ buffer: UnsafeRawBufferPointer, length: Int) {
            guard length <= buffer.count,
                  let messages = try? NetlinkMessage.parseAll(UnsafeRawBufferPointer(rebasing: buffer[..<length]),
                                                              call: "address monitor") else {
                malformed += 1
                return
            }
            for message in messages {
                switch message.type {
                case UInt16(SYNAPTIC_RTM_NEWADDR), UInt16(SYNAPTIC_RTM_DELADDR):
                    guard let address = try? InterfaceAddress(message: message) else {
                        malformed += 1
                        continue
                    }
                    changes.append(message.type == UInt16(SYNAPTIC_RTM_NEWADDR)
                                   ? .addressAdded(address) : .addressRemoved(address))
                case UInt16(SYNAPTIC_RTM_NEWROUTE), UInt16(SYNAPTIC_RTM_DELROUTE):
                    routesChanged = true
                default:
                    continue  // NLMSG_NOOP, NLMSG_DONE, types of groups we did not join
                }
            }
        }

        /// What `read()` returns: `[.resyncNeeded]` after an overflow, else the address changes and one
        /// `.routesChanged` if any route changed.
        var result: [Change] {
            if overflowed { return [.resyncNeeded] }
            return routesChanged ? changes + [.routesChanged] : changes
        }
    }
}

// AddressMonitor: the notification codec on hand-built messages (written out from the kernel ABI:
// linux/netlink.h, if_addr.h, rtnetlink.h, host byte order = little-endian here), hostile input, and the
// real kernel in fresh network namespaces (root only): IPv4 add and delete, IPv6 duplicate address
// detection, subscribe-then-dump, overflow (ENOBUFS), datagrams from other processes.

@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite struct AddressMonitorTests {
    // MARK: - Codec

    /// RTM_NEWADDR as the kernel sends it for 198.18.0.1/24 on index 7: IFA_ADDRESS, IFA_LOCAL, IFA_LABEL,
    /// IFA_FLAGS (IFA_F_PERMANENT), IFA_CACHEINFO; flags 0x80 in ifaddrmsg too.
    static let newIPv4: [UInt8] = [76, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // nlmsghdr: 76 B, RTM_NEWADDR
        + [2, 24, 0x80, 0, 7, 0, 0, 0]                  // ifaddrmsg: AF_INET /24 permanent, universe, index 7
        + [8, 0, 1, 0, 198, 18, 0, 1]                   // IFA_ADDRESS
        + [8, 0, 2, 0, 198, 18, 0, 1]                   // IFA_LOCAL
        + [7, 0, 3, 0, 0x76, 0x61, 0, 0]                // IFA_LABEL "va" (padded)
        + [8, 0, 8, 0, 0x80, 0, 0, 0]                   // IFA_FLAGS 0x80
        + [20, 0, 6, 0] + [UInt8](repeating: 0xFF, count: 8) + [0x10, 0, 0, 0, 0x10, 0, 0, 0]  // IFA_CACHEINFO

    /// RTM_NEWADDR for fd00::1/64 on index 3 without IFA_FLAGS (older kernels): tentative in ifaddrmsg.
    static let newIPv6Tentative: [UInt8] = [44, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        + [10, 64, 0x40, 0, 3, 0, 0, 0]                 // AF_INET6 /64 tentative, universe, index 3
        + [20, 0, 1, 0, 0xFD] + [UInt8](repeating: 0, count: 14) + [1]  // IFA_ADDRESS fd00::1

    /// RTM_DELADDR for fd00::1/64 on index 3 with IFA_FLAGS 0x200 (noprefixroute), beyond the 8-bit field.
    static let deleteIPv6: [UInt8] = [52, 0, 0, 0, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        + [10, 64, 0, 0, 3, 0, 0, 0]
        + [20, 0, 1, 0, 0xFD] + [UInt8](repeating: 0, count: 14) + [1]
        + [8, 0, 8, 0, 0x00, 0x02, 0, 0]

    /// An RTM_NEWROUTE (24) or RTM_DELROUTE (25) with an rtmsg and no attributes (its body is not read).
    static func route(_ type: UInt8) -> [UInt8] {
        [28, 0, 0, 0, type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] + [2, 32, 0, 0, 255, 2, 254, 2, 0, 0, 0, 0]
    }

    /// Feeds each datagram to a ChangeBatch as `read()` does.
    static func batch(_ datagrams: [UInt8]...) -> AddressMonitor.ChangeBatch {
        var batch = AddressMonitor.ChangeBatch()
        for datagram in datagrams {
            datagram.withUnsafeBytes { batch.add($0, length: $0.count) }
        }
        return batch
    }

    @Test func addressMessagesBecomeTypedChanges() throws {
        let batch = Self.batch(Self.newIPv4, Self.newIPv6Tentative, Self.deleteIPv6)
        let v4 = InterfaceAddress(prefix: try #require(IPPrefix("198.18.0.1/24")), interfaceIndex: 7, flags: 0x80)
        let v6 = InterfaceAddress(prefix: try #require(IPPrefix("fd00::1/64")), interfaceIndex: 3, flags: 0x40)
        var v6Deleted = v6
        v6Deleted.flags = 0x200
        #expect(batch.result == [.addressAdded(v4), .addressAdded(v6), .addressRemoved(v6Deleted)])
        #expect(batch.malformed == 0)
        #expect(v4.isUsableAsLocator && !v4.isTentative)
        #expect(v6.isTentative && !v6.isUsableAsLocator)
    }

    @Test func routeChangesAreOneMarkerAfterTheAddresses() {
        let batch = Self.batch(Self.route(24), Self.newIPv4 + Self.route(25), Self.route(24))
        #expect(batch.result.count == 2)
        #expect(batch.result.last == .routesChanged)
        #expect(Self.batch(Self.route(25)).result == [.routesChanged])
        #expect(Self.batch().result == [])
    }

    @Test func overflowReplacesTheChangesWithResync() {
        var batch = Self.batch(Self.newIPv4, Self.route(24))
        batch.overflowed = true
        #expect(batch.result == [.resyncNeeded])
    }

    @Test func unknownTypesAreSkippedUncounted() {
        let noop: [UInt8] = [16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]            // NLMSG_NOOP
        let link: [UInt8] = [32, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]           // RTM_NEWLINK
            + [UInt8](repeating: 0, count: 16)
        let future: [UInt8] = [20, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]
        let batch = Self.batch(noop, link, future + Self.newIPv4)
        #expect(batch.result.count == 1)
        #expect(batch.malformed == 0)
    }

    @Test func hostileDatagramsAreCountedNeverTrap() {
        var truncated = Self.newIPv4
        truncated.removeLast(10)                              // length field 76, 66 bytes left
        var overrun = Self.newIPv6Tentative
        overrun[24] = 40                                      // IFA_ADDRESS claims 40 bytes, 20 remain
        var shortHeader = Self.newIPv4.prefix(16 + 4)         // ifaddrmsg cut to 4 bytes
        shortHeader[0] = 20
        var noAddress = Self.newIPv4.prefix(24)               // ifaddrmsg only
        noAddress[0] = 24
        var badFamily = Self.newIPv4
        badFamily[16] = 99
        var badLength = Self.newIPv4
        badLength[17] = 33                                    // /33
        let runt: [UInt8] = [1, 2, 3]                         // shorter than a header
        let batch = Self.batch(truncated, overrun, Array(shortHeader), Array(noAddress), badFamily, badLength, runt,
                               Self.newIPv4 + overrun)        // a good message, then an overrun one
        #expect(batch.malformed == 8)
        #expect(batch.result.count == 1)
        let confined = Self.batch(overrun + Self.newIPv4)      // an attribute overrun stays inside its message
        #expect(confined.result.count == 1 && confined.malformed == 1)
        let lost = Self.batch(truncated + Self.newIPv4)        // a bad message length: the datagram is dropped
        #expect(lost.result == [] && lost.malformed == 1)
    }

    @Test func truncatedReceiveIsCounted() {
        var batch = AddressMonitor.ChangeBatch()
        Self.newIPv4.withUnsafeBytes { batch.add(UnsafeRawBufferPointer(rebasing: $0[..<40]), length: $0.count) }
        #expect(batch.malformed == 1)
        #expect(batch.result == [])
    }

    // MARK: - The kernel (root, fresh namespaces)

    @Test(needsNamespaces) func ipv4AddAndDeleteAreHeard() throws {
        try Self.withMonitor { namespace, pair, monitor in
            let prefix = try #require(IPPrefix("198.18.7.1/24"))
            try namespace.ip(["addr", "add", "198.18.7.1/24", "dev", pair.nameA])
            let added = try Self.read(monitor) { $0.contains { $0.added?.prefix == prefix } && $0.contains(.routesChanged) }
            let address = try #require(added.compactMap(\.added).first { $0.prefix == prefix })
            #expect(address.isUsableAsLocator)
            #expect(added.contains(.routesChanged))  // the local and prefix routes of the address

            try namespace.ip(["addr", "del", "198.18.7.1/24", "dev", pair.nameA])
            let removed = try Self.read(monitor) { $0.contains { $0.removed?.prefix == prefix } }
            #expect(removed.compactMap(\.removed).contains { $0.prefix == prefix && $0.interfaceIndex == address.interfaceIndex })
            #expect(monitor.malformedMessages == 0 && monitor.foreignDatagrams == 0)
        }
    }

    /// Without nodad the kernel reports the address tentative first, then again without the flag once
    /// duplicate address detection has run on the veth (one probe: about 1 to 2 seconds); with nodad it is
    /// usable at once.
    @Test(needsNamespaces) func ipv6AddressIsUsableOnlyAfterDAD() throws {
        try Self.withMonitor { namespace, pair, monitor in
            let probed = try #require(IPPrefix("fd00:7::1/64"))
            try namespace.ip(["addr", "add", "fd00:7::1/64", "dev", pair.nameA])
            let changes = try Self.read(monitor, seconds: 8) {
                $0.contains { $0.added?.prefix == probed && $0.added?.isTentative == false }
            }
            let reports = changes.compactMap(\.added).filter { $0.prefix == probed }
            #expect(reports.first?.isTentative == true)
            #expect(reports.first?.isUsableAsLocator == false)
            #expect(reports.last?.isTentative == false)
            #expect(reports.last?.isUsableAsLocator == true)

            let immediate = try #require(IPPrefix("fd00:8::1/64"))
            try namespace.ip(["addr", "add", "fd00:8::1/64", "dev", pair.nameA, "nodad"])
            let first = try Self.read(monitor) { $0.contains { $0.added?.prefix == immediate } }
                .compactMap(\.added).first { $0.prefix == immediate }
            #expect(first?.isTentative == false)
            #expect(first?.isUsableAsLocator == true)
        }
    }

    /// start() dumps after subscribing: what was there is in the dump (link-local and loopback left out),
    /// what comes after is read.
    @Test(needsNamespaces) func startDumpsAfterSubscribing() throws {
        try NetworkNamespace.withFresh { namespace in
            let pair = try VethPair.connect(namespace, namespace, addressesA: ["198.18.9.1/24", "fd00:9::1/64"],
                                            addressesB: [])
            let (monitor, addresses) = try namespace.run { try AddressMonitor.start() }
            defer { monitor.close() }
            #expect(Set(addresses.map(\.prefix.description)) == ["198.18.9.1/24", "fd00:9::1/64"])
            try namespace.ip(["addr", "add", "198.18.9.2/24", "dev", pair.nameA])
            let prefix = try #require(IPPrefix("198.18.9.2/24"))
            #expect(try Self.read(monitor) { $0.contains { $0.added?.prefix == prefix } }.contains { $0.added?.prefix == prefix })
        }
    }

    /// 200 addresses added while nobody reads overflow a minimal receive buffer: the kernel reports ENOBUFS,
    /// read() returns `.resyncNeeded` instead of throwing, and a dump then has every address.
    @Test(needsNamespaces) func overflowAsksForResync() throws {
        try NetworkNamespace.withFresh { namespace in
            let pair = try VethPair.connect(namespace, namespace, addressesA: [], addressesB: [])
            let (monitor, dumped) = try namespace.run {
                let monitor = try AddressMonitor(receiveBufferBytes: 1)  // the kernel's minimum (about 2 KiB)
                let netlink = try RouteNetlink()
                defer { netlink.close() }
                let index = try netlink.link(named: pair.nameA).index
                for host in 1...200 {
                    try netlink.addAddress(IPPrefix(host: .v4(IPv4Address(198, 18, 10, UInt8(host)))),
                                           interfaceIndex: index)
                }
                return (monitor, try netlink.usableAddresses())
            }
            defer { monitor.close() }
            #expect(dumped.count == 200)
            #expect(try Self.read(monitor) { $0.contains(.resyncNeeded) }.contains(.resyncNeeded))
            while try monitor.read() != [] {}  // what was queued after the overflow still reads
        }
    }

    /// A process with CAP_NET_ADMIN can send a datagram to the monitor's port; it is skipped and counted.
    @Test(needsNamespaces) func datagramsFromOtherProcessesAreIgnored() throws {
        try NetworkNamespace.withFresh { namespace in
            let monitor = try namespace.run { try AddressMonitor() }
            defer { monitor.close() }
            try namespace.run {
                let port = try NetlinkSocket.portID(of: monitor.fileDescriptor)
                let sender = try NetlinkSocket.open(groups: 0, nonBlocking: false).descriptor
                try NetlinkSocket.send(Self.newIPv4, on: sender.rawValue, to: port, call: "sendto(test)")
            }
            #expect(try waitReadable(monitor.fileDescriptor))
            #expect(try monitor.read() == [])
            #expect(monitor.foreignDatagrams == 1)
        }
    }

    /// Runs `body` with a fresh namespace, a veth pair inside it (both ends up, no addresses) and a monitor
    /// subscribed there.
    static func withMonitor(_ body: (NetworkNamespace, VethPair, AddressMonitor) throws -> Void) throws {
        try NetworkNamespace.withFresh { namespace in
            let pair = try VethPair.connect(namespace, namespace, addressesA: [], addressesB: [])
            let monitor = try namespace.run { try AddressMonitor() }
            defer { monitor.close() }
            try body(namespace, pair, monitor)
        }
    }

    /// Reads until `done` holds for everything read so far, or `seconds` pass.
    static func read(_ monitor: AddressMonitor, seconds: Int = 5,
                     until done: ([AddressMonitor.Change]) -> Bool) throws -> [AddressMonitor.Change] {
        var changes: [AddressMonitor.Change] = []
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !done(changes), ContinuousClock.now < deadline {
            if try waitReadable(monitor.fileDescriptor, timeoutMilliseconds: 100) {
                changes += try monitor.read()
            }
        }
        return changes
    }
}

extension AddressMonitor.Change {
    var added: InterfaceAddress? {
        if case .addressAdded(let address) = self { return address }
        return nil
    }

    var removed: InterfaceAddress? {
        if case .addressRemoved(let address) = self { return address }
        return nil
    }
}

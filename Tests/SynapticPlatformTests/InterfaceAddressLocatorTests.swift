// InterfaceAddress+Locator: which addresses may be announced as locators, from the kernel's address flags
// (IFA_F_*), the scope and the address ranges that are never locators.

import CSynapticShims
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite struct InterfaceAddressLocatorTests {
    @Test func usableAsLocator() throws {
        let cases: [(prefix: String, flags: Int32, scope: UInt8, usable: Bool)] = [
            ("198.18.0.1/24", 0x80, 0, true),
            ("fd00::1/64", 0, 0, true),
            ("fd00::1/64", SYNAPTIC_IFA_F_TENTATIVE, 0, false),
            ("fd00::1/64", SYNAPTIC_IFA_F_TENTATIVE | SYNAPTIC_IFA_F_OPTIMISTIC, 0, true),
            ("fd00::1/64", SYNAPTIC_IFA_F_DADFAILED, 0, false),
            ("fd00::1/64", SYNAPTIC_IFA_F_TENTATIVE | SYNAPTIC_IFA_F_DADFAILED, 0, false),
            ("fd00::1/64", SYNAPTIC_IFA_F_DEPRECATED, 0, true),     // usable, not preferred
            ("fe80::1/64", 0x80, 253, false), ("fe80::1/64", 0, 0, false),
            ("169.254.3.4/16", 0, 0, false),
            ("127.0.0.1/8", 0x80, 254, false), ("::1/128", 0x80, 254, false),
            ("2001:20::5/128", SYNAPTIC_IFA_F_NODAD, 0, false), ("2001:2f:ffff::1/28", 0, 0, false),
            ("1.0.0.1/32", 0, 0, false), ("1.255.255.255/8", 0, 0, false),
            ("198.18.0.1/24", 0, 253, false),                        // scope link
            ("2001:30::1/64", 0, 0, true), ("2.0.0.1/8", 0, 0, true), ("169.255.0.1/16", 0, 0, true),
        ]
        for (text, flags, scope, usable) in cases {
            let address = InterfaceAddress(prefix: try #require(IPPrefix(text)), interfaceIndex: 1,
                                           flags: UInt32(flags), scope: scope)
            #expect(address.isUsableAsLocator == usable, "\(text) flags \(flags) scope \(scope)")
        }
        #expect(InterfaceAddress.nonLocatorRanges.count == 6)
        let flagged = InterfaceAddress(prefix: IPPrefix(host: .v4(IPv4Address(198, 18, 0, 1))), interfaceIndex: 1,
                                       flags: 0x7C)
        #expect(flagged.isOptimistic && flagged.isDADFailed && flagged.isDeprecated && flagged.isTentative)
    }

    /// A dump leaves out link-local, LSI and tentative addresses and lists the deprecated one last.
    @Test(needsNamespaces) func usableAddressesOfANamespace() throws {
        try NetworkNamespace.withFresh { namespace in
            let pair = try VethPair.connect(namespace, namespace, addressesA: ["198.18.11.1/24", "fd00:11::1/64"],
                                            addressesB: [])
            try namespace.ip(["addr", "add", "fd00:12::1/64", "dev", pair.nameA, "nodad", "preferred_lft", "0"])
            try namespace.ip(["addr", "add", "fd00:13::1/64", "dev", pair.nameA])  // DAD takes a second or more
            try namespace.ip(["addr", "add", "1.0.0.1/32", "dev", pair.nameA])
            let usable = try namespace.run {
                let netlink = try RouteNetlink()
                defer { netlink.close() }
                return try netlink.usableAddresses()
            }
            #expect(usable.map(\.prefix.description) == ["198.18.11.1/24", "fd00:11::1/64", "fd00:12::1/64"])
            #expect(usable.last?.isDeprecated == true)
        }
    }
}

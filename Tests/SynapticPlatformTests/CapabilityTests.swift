// Capabilities: CapEff parsing, and the EPERM path for raw sockets on a thread without CAP_NET_RAW.

import CSynapticShims
import Glibc
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite struct CapabilityTests {
    @Test func parsesCapEff() throws {
        let status = "Name:\tswift\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000003000\n"
        let set = try CapabilitySet(procStatus: status)
        #expect(set == [.netAdmin, .netRaw])
        #expect(try CapabilitySet(procStatus: "CapEff:\t0000000000001000").contains(.netAdmin))
        #expect(try !CapabilitySet(procStatus: "CapEff:\t0000000000001000").contains(.netRaw))
        #expect(try CapabilitySet(procStatus: "CapEff:\t000001ffffffffff").isSuperset(of: [.netAdmin, .netRaw]))
        #expect(try CapabilitySet(procStatus: "CapEff:\t0000000000000000").isEmpty)
    }

    @Test func parsesCapPrm() throws {
        let status = "CapInh:\t0000000000000000\nCapPrm:\t0000000000003000\nCapEff:\t0000000000000000\n"
        #expect(try CapabilitySet(procStatus: status, field: "CapPrm") == [.netAdmin, .netRaw])
        #expect(try CapabilitySet(procStatus: status).isEmpty)
        #expect { try CapabilitySet(procStatus: "CapEff:\t0000000000003000", field: "CapPrm") } throws: {
            ($0 as? SystemError)?.isMalformedReply == true
        }
    }

    /// A thread whose CAP_NET_ADMIN and CAP_NET_RAW are permitted but not effective (as for a binary with
    /// `setcap ...+p` in the container image) makes them effective again with raiseEffective, and only
    /// those asked for. On a thread of its own, as above.
    @Test(needsNamespaces)
    func raiseEffectiveRestoresPermittedCapabilities() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.run {
                let before = try CapabilitySet.effective()
                #expect(synaptic_set_thread_effective_capabilities(before.subtracting([.netRaw, .netAdmin]).rawValue) == 0)
                #expect(try CapabilitySet.effective().isDisjoint(with: [.netAdmin, .netRaw]))
                #expect(try CapabilitySet.permitted().isSuperset(of: [.netAdmin, .netRaw]))
                #expect(try CapabilitySet.raiseEffective([.netAdmin]) == before.subtracting([.netRaw]))
                #expect(try CapabilitySet.raiseEffective([.netAdmin, .netRaw]) == before)
            }
        }
    }

    @Test func rejectsMalformedCapEff() {
        for text in ["CapPrm:\t0000000000003000", "CapEff:\t", "CapEff:\t00000000000030001", "CapEff:\t00zz",
                     "CapEff:\t+3000"] {
            #expect { try CapabilitySet(procStatus: text) } throws: { ($0 as? SystemError)?.isMalformedReply == true }
        }
    }

    @Test(.enabled(if: geteuid() == 0, "needs root (the effective set of root holds CAP_NET_ADMIN and CAP_NET_RAW)"))
    func rootHasNetworkCapabilities() throws {
        #expect(try CapabilitySet.effective().isSuperset(of: [.netAdmin, .netRaw]))
    }

    /// Capabilities are per thread: drop CAP_NET_RAW and CAP_NET_ADMIN on a thread of its own (one the
    /// namespace helper creates and ends). Then raw sockets, the TUN and netlink changes fail with a typed
    /// EPERM, CapEff shows the drop, and a UDP socket still opens (forced buffer sizes fall back).
    @Test(needsNamespaces)
    func withoutCapabilitiesTheErrorsArePermissionDenied() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.run {
                let before = try CapabilitySet.effective()
                #expect(before.isSuperset(of: [.netRaw, .netAdmin]))
                let netlink = try RouteNetlink()  // opened while still permitted; changes are checked per request
                #expect(synaptic_set_thread_effective_capabilities(before.subtracting([.netRaw, .netAdmin]).rawValue) == 0)
                let after = try CapabilitySet.effective()
                #expect(after.isDisjoint(with: [.netRaw, .netAdmin]))
                #expect(after == before.subtracting([.netRaw, .netAdmin]))

                for family in [AddressFamily.v4, .v6] {
                    #expect { _ = try RawHIPSocket(family: family) } throws: { error in
                        let error = error as? SystemError
                        return error?.isPermissionDenied == true && error?.errno == EPERM
                            && error?.call == "socket(SOCK_RAW, 139)"
                    }
                }
                #expect { _ = try TunDevice(name: "synperm0") } throws: { error in
                    (error as? SystemError)?.errno == EPERM && (error as? SystemError)?.call == "ioctl(TUNSETIFF)"
                }
                #expect { try netlink.setLink(index: 1, up: true) } throws: { error in
                    (error as? SystemError)?.isPermissionDenied == true && (error as? SystemError)?.call == "RTM_NEWLINK"
                }
                let socket = try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0))
                socket.close()
            }
        }
    }
}

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

    /// Capabilities are per thread: drop CAP_NET_RAW on a thread of its own (one the namespace helper
    /// creates and ends), then the raw socket fails with a typed EPERM and CapEff shows the drop.
    @Test(needsNamespaces)
    func rawSocketWithoutNetRawIsPermissionDenied() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.run {
                let before = try CapabilitySet.effective()
                #expect(before.contains(.netRaw))
                #expect(synaptic_set_thread_effective_capabilities(before.subtracting(.netRaw).rawValue) == 0)
                let after = try CapabilitySet.effective()
                #expect(!after.contains(.netRaw))
                #expect(after.contains(.netAdmin))
                for family in [AddressFamily.v4, .v6] {
                    #expect { _ = try RawHIPSocket(family: family) } throws: { error in
                        let error = error as? SystemError
                        return error?.isPermissionDenied == true && error?.errno == EPERM
                            && error?.call == "socket(SOCK_RAW, 139)"
                    }
                }
            }
        }
    }
}

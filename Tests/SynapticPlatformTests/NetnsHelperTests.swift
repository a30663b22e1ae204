// The namespace helpers themselves: isolation of run(), removal on every exit path, lab address ranges.

import Glibc
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite(needsNamespaces) struct NetnsHelperTests {
    struct Planned: Error {}

    @Test func runIsInsideTheNamespaceAndRemovalFollowsAThrow() throws {
        var name = ""
        #expect(throws: Planned.self) {
            try NetworkNamespace.withFresh { namespace in
                name = namespace.name
                let tun = try namespace.run { try TunDevice(name: "syniso0") }
                defer { tun.close() }
                #expect(if_nametoindex("syniso0") == 0)                                  // not in the host's namespace
                #expect(try namespace.ip(["link", "show", "syniso0"]).contains("syniso0"))  // but in this one
                #expect(try namespace.execute(["cat", "/proc/net/dev"]).standardOutput.contains("syniso0"))
                throw Planned()
            }
        }
        #expect(name.hasPrefix("syn-\(getpid())-"))
        let listing = try #require(try? NetworkNamespace.create(prefix: "synlist"))
        defer { listing.remove() }
        #expect(try !listing.execute(["ip", "netns", "list"]).standardOutput.contains(name))
    }

    /// Stopped with SIGTERM (status 143), which the child receives although the test runner's threads
    /// block it: a SIGKILL after the 2-second grace would give 137.
    @Test func spawnedProcessesStopWithTheNamespace() throws {
        let process = try NetworkNamespace.withFresh { namespace in
            let process = try namespace.spawn(["sleep", "30"])
            #expect(process.isRunning)
            return process
        }
        #expect(!process.isRunning)
        #expect(process.exitStatus == 128 + SIGTERM)
    }

    @Test func vethAddressesMustBeInTheLabRanges() throws {
        try NetworkNamespace.withFresh(count: 2) { namespaces in
            for outside in ["192.0.2.1/24", "198.20.0.1/24", "2001:db8::1/64", "fe80::1/64"] {
                #expect(throws: NetnsError.self) {
                    _ = try VethPair.connect(namespaces[0], namespaces[1], addressesA: [outside], addressesB: [])
                }
            }
            let pair = try VethPair.connect(namespaces[0], namespaces[1], addressesA: ["198.19.255.1/24", "fd12::1/64"],
                                            addressesB: ["198.19.255.2/24", "fd12::2/64"])
            #expect(try namespaces[0].execute(["ip", "-o", "addr", "show", "dev", pair.nameA]).standardOutput
                .contains("inet 198.19.255.1/24"))
        }
    }
}

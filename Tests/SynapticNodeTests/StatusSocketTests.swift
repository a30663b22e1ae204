// Status sockets of real `synaptic up` processes (each in its own network namespace, as nodes sharing a
// host's /run would be): a node refuses a status socket another node serves and exits without announcing
// itself. Needs root (creates namespaces and TUNs).
import Foundation
import Glibc
import SynapticTestSupport
import Testing

@Suite(.serialized) struct StatusSocketTests {
    /// A second node configured with the status socket of a running one stops before "synaptic up", with an
    /// error that names the socket and what to change; the first node keeps serving its socket.
    @Test(.enabled(if: NetworkNamespace.isAvailable, Comment(rawValue: NetworkNamespace.skipReason)),
          .timeLimit(.minutes(1)))
    func aSecondNodeOnATakenStatusSocketDoesNotComeUp() throws {
        let scratch = try CLITests.Scratch()
        try NetworkNamespace.withFresh(count: 2, prefix: "synsock") { namespaces in
            let a = try TwoNodeTests.Host("a", in: scratch.directory)
            try a.configure(peers: [])
            let first = try a.start(in: namespaces[0])
            for _ in 0..<100 where !a.logText.contains("synaptic up") { usleep(20_000) }
            #expect(a.logText.contains("raw HIP on, status \(a.socket)"), "\(a.logText)")

            let second = scratch.path("second.toml")
            try "[identity]\nkey = \"second.key\"\n[status]\nsocket = \"a.sock\"\n"
                .write(toFile: second, atomically: true, encoding: .utf8)
            let output = try namespaces[1].execute([try CLITests.executable().path, "up", second], timeout: 30)
            #expect(output.status == 1)
            #expect(output.standardError.contains(
                "\(a.socket): another synaptic node is already serving this status socket "
                    + "(give this node its own [status] socket, or another [tun] name)"), "\(output.standardError)")
            #expect(!output.standardError.contains("synaptic up"), "\(output.standardError)")
            #expect(try a.status().hit == a.hit)
            first.stop()
            #expect(first.exitStatus == 0)
        }
    }
}

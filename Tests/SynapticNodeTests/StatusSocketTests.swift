// Status sockets of real `synaptic up` processes (each in its own network namespace, as nodes sharing a
// host's /run would be): a node refuses a status socket another node serves and exits without announcing
// itself; nodes left with the default get one socket per TUN in /run/synaptic, and `synaptic status` without
// arguments shows each of them and skips stale socket files. Needs root (creates namespaces and TUNs).
import Foundation
import Glibc
import SynapticNode
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

    /// Two nodes with the default status socket (their TUNs named uniquely for this run, since /run/synaptic
    /// is the host's) and a stale socket file there: `synaptic status` lists both nodes (tables, then a JSON
    /// array), names the stale file on standard error and exits 0.
    @Test(.enabled(if: NetworkNamespace.isAvailable, Comment(rawValue: NetworkNamespace.skipReason)),
          .timeLimit(.minutes(1)))
    func statusWithoutArgumentsShowsEveryNode() throws {
        let scratch = try CLITests.Scratch()
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let stale = "/run/synaptic/hs\(tag)z.sock"
        defer { unlink(stale) }
        try NetworkNamespace.withFresh(count: 2, prefix: "synsock") { namespaces in
            let a = try TwoNodeTests.Host("a", in: scratch.directory, tun: "hs\(tag)a")
            let b = try TwoNodeTests.Host("b", in: scratch.directory, tun: "hs\(tag)b")
            try a.configure(peers: [])
            try b.configure(peers: [])
            let processes = [try a.start(in: namespaces[0]), try b.start(in: namespaces[1])]
            defer { processes.forEach { $0.stop() } }
            #expect(a.socket == "/run/synaptic/hs\(tag)a.sock")
            try StatusClientTests.makeStaleSocket(stale)

            let table = try CLITests.run(["status"])
            #expect(table.status == 0, "\(table.stderr)")
            for host in [a, b] {
                #expect(table.stdout.contains("synaptic \(host.hit)  LSI \(host.lsi)  TUN \(host.tun!)  "), "\(table.stdout)")
            }
            #expect(table.stderr.contains("skipped stale status sockets (nothing listens on them): ")
                    && table.stderr.contains(stale), "\(table.stderr)")
            #expect(table.stderr.split(separator: "\n").count == 1)

            let json = try CLITests.run(["status", "--json"])
            #expect(json.status == 0, "\(json.stderr)")
            let nodes = try JSONDecoder().decode([NodeStatus].self, from: Data(json.stdout.utf8))
            for host in [a, b] {
                #expect(nodes.first { $0.hit == host.hit }?.statusSocket == host.socket, "\(json.stdout)")
            }
            #expect(!nodes.contains { $0.statusSocket == stale })
            for process in processes { process.stop() }
            #expect(processes.allSatisfy { $0.exitStatus == 0 })
            #expect(!FileManager.default.fileExists(atPath: a.socket) && !FileManager.default.fileExists(atPath: b.socket))
        }
    }
}

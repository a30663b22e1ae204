// Asking a directory of status sockets (what `synaptic status` does without arguments): nodes that answer are
// listed, stale socket files are named apart, other files are ignored, and none answering is the "no synaptic
// node is running" error. No root needed: the nodes are status services on their own.
import Foundation
import Glibc
import Testing
@testable import SynapticNode

@Suite struct StatusClientTests {
    /// Leaves a socket file at `path` that nothing listens on, as a killed node does.
    static func makeStaleSocket(_ path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path.utf8.prefix($0.count - 1)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw CLITests.CLIError(description: "bind \(path): \(String(cString: strerror(errno)))") }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDirectoryListsTheNodesThatAnswerAndNamesTheStaleSockets() throws {
        let scratch = try CLITests.Scratch()
        let service = try ServiceLoopTests.Service(associations: 2, path: scratch.path("hipb.sock"))
        defer { _ = service.stop(within: .seconds(2)) }
        try Self.makeStaleSocket(scratch.path("hipa.sock"))
        try "not a socket".write(toFile: scratch.path("notes.txt"), atomically: true, encoding: .utf8)

        let scan = try StatusClient.scan(directory: scratch.directory, timeoutMilliseconds: 2000)
        #expect(scan.nodes.map(\.socket) == [scratch.path("hipb.sock")])
        #expect(scan.nodes.first?.status.associations.count == 2)
        #expect(scan.stale == [scratch.path("hipa.sock")])
        #expect(scan.failures.isEmpty)
    }

    @Test func noNodeAnsweringIsTheNotRunningError() throws {
        let scratch = try CLITests.Scratch()
        #expect(throws: NodeError.noneRunning(in: scratch.directory, stale: [])) {
            try StatusClient.scan(directory: scratch.directory)
        }
        try Self.makeStaleSocket(scratch.path("hipa.sock"))
        do {
            _ = try StatusClient.scan(directory: scratch.directory)
            Issue.record("a stale socket answered")
        } catch {
            #expect(error.isNotRunning)
            #expect(error.description == "no synaptic node is running (no status socket in \(scratch.directory) answers; "
                    + "stale: \(scratch.path("hipa.sock")))")
        }
        // Asked alone, the stale file says so too.
        #expect(throws: NodeError.staleSocket(scratch.path("hipa.sock"))) {
            try StatusClient.fetch(socketPath: scratch.path("hipa.sock"))
        }
        #expect(throws: NodeError.noneRunning(in: scratch.path("absent"), stale: [])) {
            try StatusClient.scan(directory: scratch.path("absent"))
        }
    }
}

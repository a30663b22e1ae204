// NetnsNamespace: named network namespaces for tests, removed on every exit path.
//
// Lifecycle: create() → `ip netns add <prefix>-<pid>-<random>` and loopback up → run closures in it
// (run), run or spawn commands in it (execute, spawn: `ip netns exec`), connect it to another with a veth
// pair (NetnsVeth) → remove(): stop spawned processes by PID, `ip netns delete`. withFresh(...) removes
// on every exit path (defer); deinit removes as a last resort; create() first removes namespaces left by
// test processes that died (their PID in the name no longer exists), so even a crash leaks nothing for
// long. Names are unique per process and call, so tests may run in parallel.

import Foundation
import Glibc
import Synchronization

/// A network namespace a test created and will remove. Sendable: `run`, `execute` and `spawn` may be
/// called from any thread; `remove()` once all use has ended.
public final class NetworkNamespace: Sendable {
    /// Whether this process can create namespaces (root, and iproute2 installed). Tests that need them
    /// are enabled only if this holds:
    /// `@Test(.enabled(if: NetworkNamespace.isAvailable, Comment(rawValue: NetworkNamespace.skipReason)))`.
    public static var isAvailable: Bool {
        geteuid() == 0
            && ["/usr/sbin/ip", "/sbin/ip", "/bin/ip"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why a namespace test is skipped when `isAvailable` is false.
    public static let skipReason = "needs root and iproute2 to create network namespaces (run the tests as root)"

    /// Serializes `ip netns add/delete`: the first add in a fresh system sets up the /run/netns mount,
    /// which concurrent adds could race.
    private static let administration = Mutex(())

    public let name: String
    private struct State {
        var removed = false
        var processes: [RunningProcess] = []
    }
    private let state = Mutex(State())

    private init(name: String) {
        self.name = name
    }

    /// Creates a namespace named `<prefix>-<pid>-<random>` with loopback up.
    public static func create(prefix: String = "syn") throws -> NetworkNamespace {
        let name = "\(prefix)-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        try administration.withLock { _ in
            removeStale(prefix: prefix)
            try NetnsCommand.check(["ip", "netns", "add", name])
        }
        let namespace = NetworkNamespace(name: name)
        try namespace.ip(["link", "set", "lo", "up"])
        return namespace
    }

    /// Runs `body` with a fresh namespace and removes it afterwards, whether `body` returns or throws.
    public static func withFresh<T>(prefix: String = "syn", _ body: (NetworkNamespace) throws -> T) throws -> T {
        let namespace = try create(prefix: prefix)
        defer { namespace.remove() }
        return try body(namespace)
    }

    /// Runs `body` with `count` fresh namespaces and removes them all afterwards, on every path.
    public static func withFresh<T>(count: Int, prefix: String = "syn",
                                    _ body: ([NetworkNamespace]) throws -> T) throws -> T {
        var namespaces: [NetworkNamespace] = []
        defer { namespaces.forEach { $0.remove() } }
        for _ in 0..<count { namespaces.append(try create(prefix: prefix)) }
        return try body(namespaces)
    }

    /// Runs `body` on a new thread inside this namespace and returns its result (see NetnsThread).
    public func run<T>(_ body: () throws -> T) throws -> T {
        try NetnsThread.run(inNamespaceAt: "/run/netns/\(name)", body)
    }

    /// Runs a command inside this namespace and waits for it (at most `timeout` seconds).
    public func execute(_ arguments: [String], timeout: TimeInterval = 20) throws -> ProcessOutput {
        try NetnsCommand.run(["ip", "netns", "exec", name] + arguments, timeout: timeout)
    }

    /// Starts a command inside this namespace in the background; it is stopped by PID on `remove()`.
    public func spawn(_ arguments: [String]) throws -> RunningProcess {
        let process = try NetnsCommand.spawn(["ip", "netns", "exec", name] + arguments)
        state.withLock { $0.processes.append(process) }
        return process
    }

    /// `ip -n <name> ...`; throws unless it exits 0, returns its output.
    @discardableResult
    public func ip(_ arguments: [String]) throws -> String {
        try NetnsCommand.check(["ip", "-n", name] + arguments)
    }

    /// Stops the processes spawned here and deletes the namespace (its veth ends go with it). Idempotent;
    /// failures are ignored (nothing more can be done at this point).
    public func remove() {
        let processes = state.withLock { state -> [RunningProcess]? in
            guard !state.removed else { return nil }
            state.removed = true
            return state.processes
        }
        guard let processes else { return }
        processes.forEach { $0.stop() }
        NetworkNamespace.administration.withLock { _ in
            _ = try? NetnsCommand.run(["ip", "netns", "delete", name])
        }
    }

    deinit { remove() }

    /// Deletes namespaces named `<prefix>-<pid>-...` whose process no longer exists (a test run that
    /// crashed before its cleanup). Called with `administration` held.
    private static func removeStale(prefix: String) {
        guard let listing = try? NetnsCommand.check(["ip", "netns", "list"]) else { return }
        for line in listing.split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            let parts = name.split(separator: "-")
            guard parts.count == 3, parts[0] == prefix, let pid = Int32(parts[1]), pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? NetnsCommand.run(["ip", "netns", "delete", name])
        }
    }
}

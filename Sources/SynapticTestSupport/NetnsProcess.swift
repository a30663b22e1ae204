// NetnsProcess: running commands (ip, and commands inside namespaces) with a timeout, output captured.
//
// posix_spawn, not Foundation's Process: a child inherits the signal mask of the thread that starts it,
// and the test runner's threads block SIGTERM, so a daemon started with Process could never be stopped
// gracefully. Here every child starts with an empty signal mask and default dispositions, so SIGTERM
// reaches it (and a `synaptic up` under test can run its shutdown path). Output goes to temporary files
// (no pipe can fill and block the child). Children are reaped with waitpid on their own PID only.

import Foundation
import Glibc
import Synchronization

/// What a finished command printed and how it ended (exit code, or 128 + signal number).
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

/// A child process, stopped by its PID (SIGTERM, then SIGKILL after 2 s) on `stop()` or when the namespace
/// it was spawned in is removed. Sendable; `stop` and `isRunning` may be called from any thread.
public final class RunningProcess: Sendable {
    public let processIdentifier: pid_t
    /// The wait status once reaped.
    private let status = Mutex<Int32?>(nil)

    init(processIdentifier: pid_t) {
        self.processIdentifier = processIdentifier
    }

    public var isRunning: Bool { reap(blocking: false) == nil }

    /// The exit code once it has ended (128 + signal number if a signal ended it), else nil.
    public var exitStatus: Int32? { reap(blocking: false) }

    /// Stops the process and waits for it. Idempotent.
    public func stop() {
        guard isRunning else { return }
        kill(processIdentifier, SIGTERM)
        if wait(timeout: 2) == nil {
            kill(processIdentifier, SIGKILL)
            _ = reap(blocking: true)
        }
    }

    /// Waits at most `timeout` seconds; the exit code (128 + signal if killed), or nil if still running.
    func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = reap(blocking: false) { return status }
            if Date() >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// waitpid on this child once; later calls return the recorded status.
    private func reap(blocking: Bool) -> Int32? {
        status.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            let result = waitpid(processIdentifier, &raw, blocking ? 0 : WNOHANG)
            guard result == processIdentifier else {
                if result == -1 && errno == ECHILD { status = -1 }  // reaped elsewhere: not running
                return status
            }
            let signal = raw & 0x7F  // WTERMSIG; 0 means it exited (WIFEXITED)
            status = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
            return status
        }
    }
}

/// Runs commands for the namespace helpers.
enum NetnsCommand {
    /// Runs `arguments` (looked up in PATH) and waits at most `timeout` seconds; a command still running
    /// then is stopped and reported as an error.
    static func run(_ arguments: [String], timeout: TimeInterval = 20) throws -> ProcessOutput {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("netns-\(UUID().uuidString)").path
        let (outPath, errPath) = (base + ".out", base + ".err")
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let process = try spawn(arguments, standardOutput: outPath, standardError: errPath)
        guard let status = process.wait(timeout: timeout) else {
            process.stop()
            throw NetnsError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        return ProcessOutput(status: status,
                             standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                             standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// Runs `arguments` and throws unless it exits 0; returns its standard output.
    @discardableResult
    static func check(_ arguments: [String], timeout: TimeInterval = 20) throws -> String {
        let output = try run(arguments, timeout: timeout)
        guard output.status == 0 else {
            throw NetnsError("\(arguments.joined(separator: " ")) exited \(output.status): \(output.standardError)")
        }
        return output.standardOutput
    }

    /// Starts `arguments` with stdin from /dev/null and stdout/stderr to the given files (default: discarded),
    /// an empty signal mask and default signal dispositions.
    static func spawn(_ arguments: [String], standardOutput: String = "/dev/null",
                      standardError: String = "/dev/null") throws -> RunningProcess {
        guard !arguments.isEmpty else { throw NetnsError("empty command") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw NetnsError("posix_spawnp \(arguments[0]): \(String(cString: strerror(result)))")
        }
        return RunningProcess(processIdentifier: pid)
    }
}

// NetnsProcess: running commands (ip, and commands inside namespaces) with a timeout, output captured.

import Foundation
import Glibc

/// What a finished command printed and how it ended.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

/// A background process started in a namespace; stopped by its PID (SIGTERM, then SIGKILL) on `stop()`
/// or when its namespace is removed.
public final class RunningProcess: @unchecked Sendable {
    private let process: Process
    public var processIdentifier: Int32 { process.processIdentifier }

    init(_ process: Process) {
        self.process = process
    }

    public var isRunning: Bool { process.isRunning }

    /// Stops the process by PID and waits for it (at most 2 s after SIGTERM, then SIGKILL). Idempotent.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Runs commands for the namespace helpers. Output goes to temporary files (no pipe can fill and block).
enum NetnsCommand {
    /// Runs `arguments` (looked up in PATH) and waits at most `timeout` seconds; a command still running
    /// then is killed and reported as an error.
    static func run(_ arguments: [String], timeout: TimeInterval = 20) throws -> ProcessOutput {
        let directory = FileManager.default.temporaryDirectory
        let token = UUID().uuidString
        let outURL = directory.appendingPathComponent("netns-\(token).out")
        let errURL = directory.appendingPathComponent("netns-\(token).err")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw NetnsError("cannot create output files in \(directory.path)")
        }
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = try makeProcess(arguments)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let running = RunningProcess(process)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            running.stop()
            throw NetnsError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return ProcessOutput(status: process.terminationStatus,
                             standardOutput: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                             standardError: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    /// Runs `arguments` and throws unless it exits 0.
    @discardableResult
    static func check(_ arguments: [String], timeout: TimeInterval = 20) throws -> String {
        let output = try run(arguments, timeout: timeout)
        guard output.status == 0 else {
            throw NetnsError("\(arguments.joined(separator: " ")) exited \(output.status): \(output.standardError)")
        }
        return output.standardOutput
    }

    /// Starts `arguments` in the background with output discarded.
    static func spawn(_ arguments: [String]) throws -> RunningProcess {
        let process = try makeProcess(arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process)
    }

    private static func makeProcess(_ arguments: [String]) throws -> Process {
        guard let executable = arguments.first else { throw NetnsError("empty command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments.dropFirst()
        return process
    }
}

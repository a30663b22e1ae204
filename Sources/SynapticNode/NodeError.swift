// NodeError: why the node could not start or a request failed.

/// A failure of the node's setup or of a status request. `description` is the line to print; the CLI
/// exits non-zero with it. A value type; use it anywhere.
public struct NodeError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        /// A file (key, keylog, socket) at `path` cannot be used.
        case file(path: String, detail: String)
        /// A system resource (TUN, socket, thread) could not be set up.
        case setup(what: String, detail: String)
        /// The protocol core refused the settings or the identity.
        case core(String)
        /// No node answers on the status socket.
        case notRunning(path: String, detail: String)
        /// The status socket file exists but nothing listens on it (its node was killed).
        case staleSocket(path: String)
        /// No status socket in `directory` answers (those in `stale` are left by nodes that were killed).
        case noneRunning(directory: String, stale: [String])
        /// The node answered something we cannot read.
        case badReply(String)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    static func file(_ path: String, _ detail: String) -> NodeError { NodeError(.file(path: path, detail: detail)) }
    static func setup(_ what: String, _ detail: String) -> NodeError { NodeError(.setup(what: what, detail: detail)) }
    static func core(_ detail: String) -> NodeError { NodeError(.core(detail)) }
    static func notRunning(_ path: String, _ detail: String) -> NodeError {
        NodeError(.notRunning(path: path, detail: detail))
    }
    static func staleSocket(_ path: String) -> NodeError { NodeError(.staleSocket(path: path)) }
    static func noneRunning(in directory: String, stale: [String]) -> NodeError {
        NodeError(.noneRunning(directory: directory, stale: stale))
    }
    static func badReply(_ detail: String) -> NodeError { NodeError(.badReply(detail)) }

    /// True when no node is listening on the status socket (or on any socket of the directory asked).
    public var isNotRunning: Bool {
        switch reason {
        case .notRunning, .staleSocket, .noneRunning: true
        case .file, .setup, .core, .badReply: false
        }
    }

    /// True when the status socket file exists but nothing listens on it.
    public var isStaleSocket: Bool {
        if case .staleSocket = reason { return true }
        return false
    }

    public var description: String {
        switch reason {
        case .file(let path, let detail): "\(path): \(detail)"
        case .setup(let what, let detail): "\(what): \(detail)"
        case .core(let detail): "HIP host: \(detail)"
        case .notRunning(let path, let detail): "no synaptic node is running (status socket \(path): \(detail))"
        case .staleSocket(let path): "no synaptic node is running (status socket \(path): nothing listens on it, a stale file)"
        case .noneRunning(let directory, let stale):
            "no synaptic node is running (no status socket in \(directory) answers"
                + (stale.isEmpty ? ")" : "; stale: \(stale.joined(separator: ", ")))")
        case .badReply(let detail): "unreadable reply from the node: \(detail)"
        }
    }
}

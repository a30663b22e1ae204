// StatusClient: asks a running node for its status over the status socket (what `synaptic status` does).
import Foundation
import HIPCore

/// Reads a node's status. Blocking; call from any thread.
public enum StatusClient {
    /// Connects to the status socket at `path`, sends "status\n" and decodes the reply, all within
    /// `timeoutMilliseconds`. Errors: the node is not running (`NodeError.isNotRunning`), or its reply
    /// cannot be read in time.
    public static func fetch(socketPath path: String, timeoutMilliseconds: Int32 = 5000) throws(NodeError) -> NodeStatus {
        let deadline = MonotonicClock.now() + .milliseconds(timeoutMilliseconds)
        let connection = try StreamConnection.connect(unixPath: path)
        defer { connection.close() }
        guard connection.write(Array("status\n".utf8), until: deadline) else {
            throw .notRunning(path, "the node closed the connection")
        }
        connection.finishWriting()
        guard let reply = connection.read(limit: 1 << 24, until: deadline, isComplete: { _ in false }) else {
            throw .badReply("no complete answer within \(timeoutMilliseconds) ms")
        }
        do {
            return try JSONDecoder().decode(NodeStatus.self, from: Data(reply))
        } catch {
            throw .badReply(String(decoding: reply.prefix(200), as: UTF8.self))
        }
    }
}

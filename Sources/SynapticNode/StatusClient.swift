// StatusClient: asks running nodes for their status over their status sockets (what `synaptic status` does):
// one socket, or every `*.sock` of a directory (each node on a host has its own, /run/synaptic/<tun>.sock).
import Foundation
import HIPCore

/// Reads nodes' status. Blocking; call from any thread.
public enum StatusClient {
    /// What the sockets of a directory answered, each list in the order of the socket paths.
    public struct Scan: Sendable {
        /// The nodes that answered, with their sockets.
        public var nodes: [(socket: String, status: NodeStatus)] = []
        /// Socket files nothing listens on (left by nodes that were killed).
        public var stale: [String] = []
        /// Sockets that could not be asked or whose node gave no readable answer.
        public var failures: [NodeError] = []
    }

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

    /// Asks every `*.sock` in `directory`, one after the other. Errors: `NodeError.isNotRunning` when none
    /// answered (the error names the stale files, if any) and none failed otherwise.
    public static func scan(directory: String, timeoutMilliseconds: Int32 = 5000) throws(NodeError) -> Scan {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var scan = Scan()
        for path in names.filter({ $0.hasSuffix(".sock") }).sorted().map({ "\(directory)/\($0)" }) {
            do {
                scan.nodes.append((path, try fetch(socketPath: path, timeoutMilliseconds: timeoutMilliseconds)))
            } catch where error.isStaleSocket {
                scan.stale.append(path)
            } catch {
                scan.failures.append(error)
            }
        }
        guard !scan.nodes.isEmpty || !scan.failures.isEmpty else { throw .noneRunning(in: directory, stale: scan.stale) }
        return scan
    }
}

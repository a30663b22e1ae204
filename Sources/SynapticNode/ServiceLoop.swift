// ServiceLoop: the thread that answers the status socket and the metrics listener.
//
//   status socket (Unix, 0600): client sends "status\n" → the NodeStatus as JSON → close
//   metrics (TCP, HTTP/1.0):    "GET /metrics" → 200 text/plain; version=0.0.4 (Prometheus) → close;
//                               other paths 404, other methods 405
// Each request is answered in turn: read the request → take a snapshot from the node's threads (well under
// a millisecond normally, `NodeLimits.snapshotWait` at most) → write the reply. The client gets
// `NodeLimits.requestTimeout` in all to send its request and take the reply, then it is cut off; the
// sockets never block, so a slow client holds the thread that long at most. `stop()` is checked before
// each connection.
import Foundation
import HIPCore
import Logging
import Synchronization
import SynapticPlatform

/// The services. Its thread runs `run()`; `stop()` from any thread. Hence `@unchecked Sendable`.
final class ServiceLoop: @unchecked Sendable {
    private let poller: EventPoller
    private let events = ReadyEvents(capacity: 4)
    private let statusListener: StreamListener?
    private let metricsListener: StreamListener?
    private let status: @Sendable () -> NodeStatus?
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)

    private static let statusToken: UInt64 = 1
    private static let metricsToken: UInt64 = 2

    /// - Parameter status: a fresh snapshot of the node, or nil if it could not be taken.
    init(statusListener: StreamListener?, metricsListener: StreamListener?, logger: Logger,
         status: @escaping @Sendable () -> NodeStatus?) throws(SystemError) {
        poller = try EventPoller()
        self.statusListener = statusListener
        self.metricsListener = metricsListener
        self.status = status
        self.logger = logger
        if let statusListener { try poller.register(statusListener.fileDescriptor, token: Self.statusToken, for: .readable) }
        if let metricsListener { try poller.register(metricsListener.fileDescriptor, token: Self.metricsToken, for: .readable) }
    }

    /// The loop: returns after `stop()`; closes the listeners (removing the status socket file).
    func run() {
        defer {
            statusListener?.close()
            metricsListener?.close()
            poller.close()
        }
        while !isStopping {
            guard let count = try? poller.wait(into: events, timeoutMilliseconds: -1) else { return }
            for index in 0..<count {
                switch events[index].token {
                case Self.statusToken:
                    while !isStopping, let connection = statusListener?.accept() {
                        serve(connection, isComplete: { $0.contains(UInt8(ascii: "\n")) }, answer: statusReply)
                    }
                case Self.metricsToken:
                    while !isStopping, let connection = metricsListener?.accept() {
                        serve(connection, isComplete: ServiceLoop.isCompleteHTTPHeader, answer: metricsReply)
                    }
                default:
                    break
                }
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        try? poller.wake()
    }

    private var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Reads a request from `connection` until `isComplete`, writes what `answer` makes of it, closes. The
    /// client's time (reading and writing) is bounded by `NodeLimits.requestTimeout` in all.
    private func serve(_ connection: StreamConnection, isComplete: ([UInt8]) -> Bool, answer: ([UInt8]) -> [UInt8]) {
        defer { connection.close() }
        let deadline = MonotonicClock.now() + NodeLimits.requestTimeout
        guard let request = connection.read(limit: NodeLimits.maximumRequestBytes, until: deadline,
                                            isComplete: isComplete) else { return }
        let left = deadline - MonotonicClock.now()
        let reply = answer(request)
        connection.write(reply, until: MonotonicClock.now() + left)
    }

    private func statusReply(_ request: [UInt8]) -> [UInt8] {
        guard let snapshot = status(), let json = try? JSONEncoder.status.encode(snapshot) else {
            logger.warning("status request: the node's threads did not answer in time")
            return Array("{\"error\":\"the node did not answer in time\"}\n".utf8)
        }
        return Array(json) + [UInt8(ascii: "\n")]
    }

    private func metricsReply(_ request: [UInt8]) -> [UInt8] {
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let response: (status: String, body: String)
        if parts.first != "GET" {
            response = ("405 Method Not Allowed", "only GET\n")
        } else if parts.count < 2 || parts[1] != "/metrics" {
            response = ("404 Not Found", "try /metrics\n")
        } else if let snapshot = status() {
            response = ("200 OK", snapshot.prometheusText())
        } else {
            logger.warning("metrics request: the node's threads did not answer in time")
            response = ("503 Service Unavailable", "the node did not answer in time\n")
        }
        let body = Array(response.body.utf8)
        let head = "HTTP/1.0 \(response.status)\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Whether `bytes` hold a whole HTTP request header (ends with an empty line).
    static func isCompleteHTTPHeader(_ bytes: [UInt8]) -> Bool {
        let crlf: [UInt8] = [13, 10, 13, 10]
        let lf: [UInt8] = [10, 10]
        return bytes.count >= 2 && (bytes.suffix(4).elementsEqual(crlf) || bytes.suffix(2).elementsEqual(lf))
    }
}

extension JSONEncoder {
    /// The encoder of status replies: sorted keys, so the output is stable.
    static var status: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

// The status service against slow clients: one that trickles its request, one that never reads its
// reply, and stop() while clients stall. Each costs the service thread `NodeLimits.requestTimeout` at most.
import Dispatch
import Foundation
import Glibc
import HIPCore
import Logging
import Synchronization
import Testing
@testable import SynapticNode

@Suite struct ServiceLoopTests {
    /// A status service on a Unix socket (`path`, by default in a fresh directory), run on its own thread.
    /// The socket's directory is removed with it.
    final class Service: Sendable {
        let path: String
        let loop: ServiceLoop
        private let finished = DispatchSemaphore(value: 0)

        init(associations: Int = 1, path: String? = nil) throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("svc-\(UUID().uuidString)").path
            self.path = path ?? "\(directory)/status.sock"
            let status = NodeStatus(hit: "2001:20::1", lsi: "1.0.0.1", tun: "hip0", udpPort: 10500, rawHIP: false,
                                    uptimeSeconds: 1,
                                    associations: (0..<associations).map { AssociationStatus(hit: "2001:20::\($0)", state: "ESTABLISHED") })
            loop = try ServiceLoop(statusListener: try StreamListener.unix(path: self.path), metricsListener: nil,
                                   logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })) { status }
            let (loop, finished) = (self.loop, self.finished)
            _ = WorkerThread(name: "services-test") {
                loop.run()
                finished.signal()
            }
        }

        /// Stops the loop; whether its thread ended within `timeout`.
        func stop(within timeout: DispatchTimeInterval) -> Bool {
            loop.stop()
            return finished.wait(timeout: .now() + timeout) == .success
        }

        deinit {
            try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
        }
    }

    /// A client connected to `path` that sends one byte of a request every `interval` (never the newline)
    /// on its own thread until `close()`; `closedAt` is when it saw the service close the connection.
    /// The connection is used by the client's thread only, and closed after that thread ended: hence
    /// `@unchecked Sendable`.
    final class TricklingClient: @unchecked Sendable {
        private let connection: StreamConnection
        private let done = Atomic<Bool>(false)
        private let closed = Mutex<ContinuousClock.Instant?>(nil)
        private let finished = DispatchSemaphore(value: 0)

        init(path: String, interval: Duration = .milliseconds(500)) throws {
            connection = try StreamConnection.connect(unixPath: path)
            _ = WorkerThread(name: "trickle") { [self] in
                defer { finished.signal() }
                while !done.load(ordering: .acquiring) {
                    // A failed send, or a readable end of file, means the service closed the connection.
                    let open = connection.write([UInt8(ascii: "s")], until: MonotonicClock.now() + .milliseconds(100))
                        && connection.read(limit: 1, until: MonotonicClock.now() + interval, isComplete: { $0.count == 1 }) == nil
                    if !open {
                        closed.withLock { $0 = ContinuousClock.now }
                        return
                    }
                }
            }
        }

        var closedAt: ContinuousClock.Instant? { closed.withLock { $0 } }

        func close() {
            done.store(true, ordering: .releasing)
            finished.wait()
            connection.close()
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aClientTricklingItsRequestIsCutOffAtTheDeadline() throws {
        let service = try Service()
        let start = ContinuousClock.now
        let client = try TricklingClient(path: service.path)
        defer { client.close() }
        for _ in 0..<40 where client.closedAt == nil { usleep(100_000) }
        let closedAt = try #require(client.closedAt, "the service kept a client that sends 1 byte per 500 ms for 4 s")
        #expect(closedAt - start < .milliseconds(1800))
        // The service is free again.
        #expect(try StatusClient.fetch(socketPath: service.path, timeoutMilliseconds: 2000).associations.count == 1)
        #expect(service.stop(within: .seconds(2)))
    }

    @Test(.timeLimit(.minutes(1)))
    func aClientThatNeverReadsCannotHoldTheService() throws {
        // A reply of a few MB: far more than the socket buffers hold.
        let service = try Service(associations: 10_000)
        let idle = try StreamConnection.connect(unixPath: service.path)
        defer { idle.close() }
        #expect(idle.write(Array("status\n".utf8), until: MonotonicClock.now() + .seconds(1)))
        usleep(100_000)
        let start = ContinuousClock.now
        let status = try StatusClient.fetch(socketPath: service.path, timeoutMilliseconds: 8000)
        #expect(status.associations.count == 10_000)
        #expect(ContinuousClock.now - start < .seconds(6))
        #expect(service.stop(within: .seconds(2)))
    }

    @Test(.timeLimit(.minutes(1)))
    func stopReturnsPromptlyWhileClientsStall() throws {
        let service = try Service()
        // Several stalled clients queued: the loop must not serve them one after the other after stop().
        let clients = try (0..<4).map { _ in try TricklingClient(path: service.path) }
        defer { for client in clients { client.close() } }
        usleep(200_000)
        #expect(service.stop(within: .seconds(2)))
    }
}

// The control plane's loop under a flood of raw HIP packets (in a network namespace, on its loopback):
// it reads a bounded number of batches per wakeup, so a request waiting in its inbox is answered before
// the whole flood has been read.
import Dispatch
import Foundation
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticPlatform
import SynapticTestSupport
import Testing
@testable import SynapticNode

@Suite struct ControlPlaneTests {
    @Test(.enabled(if: NetworkNamespace.isAvailable, Comment(rawValue: NetworkNamespace.skipReason)),
          .timeLimit(.minutes(1)))
    func rawFloodIsReadInBoundedRoundsAndTheInboxIsServedBetween() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.ip(["link", "set", "lo", "up"])
            let (receiver, sender) = try namespace.run { (try RawHIPSocket(family: .v4), try RawHIPSocket(family: .v4)) }
            defer { receiver.close(); sender.close() }
            let identity = try HostIdentity.generate(.ecdsaP256)
            let side = try Side(identity: identity, address: IPAddress("127.0.0.1")!, peers: [], policy: AllowedPeers([]))
            let inbox = Inbox<ControlMessage>(poller: try EventPoller())
            let control = try ControlPlane(
                inbox: inbox, host: side.host, executor: side.executor, policy: ReloadablePolicy(AllowedPeers([])),
                sockets: HIPSockets(udp4: nil, udp6: nil, raw4: receiver, raw6: nil),
                configuration: NodeConfiguration(identityKeyPath: "unused.key"),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), pathSnapshots: { nil })

            // Far more junk than one wakeup may read (each datagram is a malformed HIP packet).
            let flood = 4 * NodeLimits.batchesPerWakeup * NodeLimits.rawHIPBatchCapacity
            let loopback = InetAddress("127.0.0.1")!
            let batch = DatagramBatch(capacity: flood, bufferSize: 64)
            for index in 0..<flood {
                batch.buffer(at: index).copyBytes(from: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 40))
                batch.setDatagram(at: index, length: 40, to: SocketAddress(loopback, port: 0))
            }
            batch.count = flood
            var sent = 0
            while sent < flood { sent = try sender.send(batch, from: sent).next }
            usleep(100_000)

            // Then a status request and shutdown: the request is answered after one round of raw reads.
            let reply = Reply<ControlSnapshot>()
            inbox.post(.snapshot(reply))
            inbox.post(.shutdown)
            let done = DispatchSemaphore(value: 0)
            let thread = WorkerThread(name: "control-test") {
                control.run()
                done.signal()
            }
            defer { thread.join() }
            let snapshot = try #require(reply.wait(timeout: .seconds(10)))
            #expect(snapshot.core.totalRejected == UInt64(NodeLimits.batchesPerWakeup * NodeLimits.rawHIPBatchCapacity))
            #expect(done.wait(timeout: .now() + .seconds(10)) == .success)
        }
    }
}

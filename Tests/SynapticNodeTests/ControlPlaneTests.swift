// The control plane's loop under a flood of raw HIP packets (in a network namespace, on its loopback):
// it reads a bounded number of batches per wakeup, so a request waiting in its inbox is answered before
// the whole flood has been read. And its reload: an association whose peer moved is closed.
import Dispatch
import Foundation
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticDataPlane
@testable import SynapticNode
import SynapticPlatform
import SynapticTestSupport
import Testing

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
            let configuration = NodeConfiguration(identityKeyPath: "unused.key")
            let control = try ControlPlane(
                inbox: inbox, host: side.host, executor: side.executor, policy: ReloadablePolicy(configuration),
                raw4: receiver, raw6: nil, configuration: configuration,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), addressSource: nil, localAddresses: [],
                pathSnapshots: { nil })

            // Far more junk than one wakeup may read (each datagram is a malformed HIP packet).
            let flood = 4 * NodeLimits.batchesPerWakeup * NodeLimits.rawHIPBatchCapacity
            let loopback = InetAddress("127.0.0.1")!
            let memory = PacketBatch(capacity: flood)
            let batch = DatagramBatch(capacity: flood)
            for index in 0..<flood {
                batch.append(copying: [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 40), into: memory,
                             to: SocketAddress(loopback, port: 0))
            }
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

    @Test(.timeLimit(.minutes(1)))
    func reloadKeepsAssociationsOfPeersThatMovedAndAddsTheirNewLocators() throws {
        // A has associations with b and d (in memory), then runs its control loop without sockets.
        let identities = try (0..<3).map { _ in try HostIdentity.generate(.ecdsaP256) }
        let (addressA, addressB, addressD) = (IPAddress("198.18.0.1")!, IPAddress("198.18.0.2")!, IPAddress("198.18.0.4")!)
        var configuration = NodeConfiguration(identityKeyPath: "unused.key")
        configuration.peers = [.init(hit: identities[1].hit, name: "b", locators: [.init(address: addressB)]),
                               .init(hit: identities[2].hit, name: "d", locators: [.init(address: addressD)])]
        let a = try Side(identity: identities[0], address: addressA, peers: configuration.peers,
                         policy: ReloadablePolicy(configuration))
        let toA: [NodeConfiguration.Peer] = [.init(hit: identities[0].hit, locators: [.init(address: addressA)])]
        for (identity, address) in [(identities[1], addressB), (identities[2], addressD)] {
            let peer = try Side(identity: identity, address: address, peers: toA, policy: AllowedPeers([identities[0].hit]))
            a.handle(.outboundData(peer: identity.hit, endpoints: a.executor.directory.endpoints(for: identity.hit)), now: .zero)
            ActionExecutorTests.exchange(a, peer, now: .zero)
            #expect(a.host.association(for: identity.hit)?.state == .established)
        }
        let inbox = Inbox<ControlMessage>(poller: try EventPoller())
        let control = try ControlPlane(
            inbox: inbox, host: a.host, executor: a.executor, policy: ReloadablePolicy(configuration),
            raw4: nil, raw6: nil, configuration: configuration,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), addressSource: nil, localAddresses: [],
                pathSnapshots: { nil })
        let sentBefore = a.transmitter.sent.count

        // b moved to another address; d got a second locator and a new name (its address is still there).
        var reloaded = configuration
        reloaded.peers[0].locators = [.init(address: IPAddress("198.18.0.3")!)]
        reloaded.peers[1].locators.append(.init(address: IPAddress("fd00::4")!))
        reloaded.peers[1].name = "db"
        let reply = Reply<ControlSnapshot>()
        inbox.post(.reload(reloaded))
        inbox.post(.snapshot(reply))
        inbox.post(.shutdown)
        let thread = WorkerThread(name: "control-test") { control.run() }
        let snapshot = reply.wait(timeout: .seconds(10))
        thread.join()
        let associations = Dictionary(uniqueKeysWithValues: (snapshot?.associations ?? []).map { ($0.peer, $0) })
        #expect(associations[identities[1].hit]?.state == .established)
        #expect(associations[identities[2].hit]?.state == .established)
        // b's new address joined its locator set, unverified: ESP still goes where the exchange ran.
        let b = try #require(associations[identities[1].hit])
        #expect(b.locators.contains { $0.endpoint.address == IPAddress("198.18.0.3")! && $0.state == "UNVERIFIED"
                                      && !$0.carriesTraffic })
        #expect(b.locators.contains { $0.endpoint.address == addressB && $0.carriesTraffic })
        let d = try #require(associations[identities[2].hit])
        #expect(d.locators.contains { $0.endpoint.address == IPAddress("fd00::4")! && $0.state == "UNVERIFIED" })
        // No CLOSE before the shutdown's, which went to both peers where their associations run.
        let closes = a.transmitter.sent[sentBefore...].filter { $0.type == .close && !$0.isRetransmission }
        #expect(Set(closes.map(\.destination.address)) == [addressB, addressD])
    }
}

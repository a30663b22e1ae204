// A flood of I1s that claim an allowed peer's HIT from spoofed addresses (issue 9): the peer's own I1s,
// from an address known for its HIT (configured, or learned from a past association), are answered from
// that address's own R1 budget with the normal puzzle; the flood gets the total budget, and once it is used
// up, the flood puzzle (#K = the ceiling), which an I2 cannot trade for the easier one.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct I1FloodTests {
    /// Peer 0 (the Initiator B, at 192.0.2.1) and peer 1 (the flooded Responder A).
    static func network(ceiling: UInt8 = 16) throws -> TestNetwork {
        var settings = TestHosts.fastSettings()
        settings.puzzleDifficultyCeiling = ceiling
        let (b, a) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(b, seed: 301), try TestHosts.make(a, settings: settings, seed: 302)])
    }

    /// `count` I1s claiming peer 0's HIT from spoofed addresses (10.x.y.z), delivered to peer 1 now; returns
    /// the R1s it sent to them (delivered nowhere: no peer has those addresses).
    static func flood(_ network: inout TestNetwork, count: Int) throws -> [Datagram] {
        let i1 = HIPPacket(type: .i1, senderHIT: network.peers[0].host.localHIT, receiverHIT: network.peers[1].host.localHIT,
                           parameters: [.dhGroupList([7])]).serialize()
        let before = network.sent.count
        for index in 0..<count {
            let source = Endpoint(address: try #require(IPAddress("10.\(index / 62_500).\(index / 250 % 250).\(index % 250 + 1)")),
                                  transport: network.transport)
            network.deliver(Datagram(bytes: i1, type: .i1, from: 0, to: 1, source: source,
                                     destination: network.peers[1].address, isRetransmission: false, sentAt: network.now))
        }
        return Array(network.sent[before...])
    }

    /// The puzzle #K of an R1.
    static func k(_ r1: Datagram) throws -> UInt8? { try HIPPacket.parse(r1.bytes).puzzle?.k }

    @Test func configuredPeerCompletesItsExchangeDuringTheFlood() throws {
        var network = try Self.network()
        let b = network.peers[0].host.localHIT
        network.handle(.configuredLocators([b: [network.peers[0].address]]), at: 1)
        let floodR1s = try Self.flood(&network, count: 5000)
        // The flood drew the total budget (1000/s), no more, and the R1s after it was used up would have
        // carried the flood puzzle.
        #expect(floodR1s.count == 1000)
        #expect(try floodR1s.allSatisfy { try Self.k($0) == 4 })
        #expect(network.peers[1].host.counters.rejected(.rateLimited) == 4000)

        network.connect(0, to: 1)
        network.run(for: .milliseconds(900))   // less than the first I1 retransmission
        #expect(network.association(0, with: 1)?.state == .established)
        let addressOfB = network.peers[0].address
        let r1ToB = try #require(network.sent.first(where: { $0.type == .r1 && $0.destination == addressOfB }))
        #expect(try Self.k(r1ToB) == 4)
        #expect(network.peers[1].host.counters.r1sToKnownLocators == 1)
        #expect(network.sent.filter { $0.type == .i1 && $0.from == 0 }.count == 1)
    }

    @Test func addressOfAPastAssociationIsKnown() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let delivered = network.sendESP(0, to: 1)   // ESTABLISHED at the Responder too
        #expect(delivered)
        network.run(for: .seconds(1))
        #expect(network.association(1, with: 0)?.state == .established)
        _ = try Self.flood(&network, count: 3000)
        // B's own I1 (after a restart, say) is answered at once with the normal puzzle.
        let i1 = HIPPacket(type: .i1, senderHIT: network.peers[0].host.localHIT,
                           receiverHIT: network.peers[1].host.localHIT, parameters: [.dhGroupList([7])]).serialize()
        let before = network.sent.count
        network.deliver(Datagram(bytes: i1, type: .i1, from: 0, to: 1, source: network.endpoint(0),
                                 destination: network.peers[1].address, isRetransmission: false, sentAt: network.now))
        let r1 = try #require(network.sent[before...].first { $0.type == .r1 })
        #expect(try Self.k(r1) == 4)
        #expect(network.peers[1].host.counters.r1sToKnownLocators == 1)
    }

    /// Once the total budget was used up, R1s to other addresses carry the flood puzzle for
    /// `CoreLimits.i1FloodMemory`; the I2 must solve the #K its R1 carried (#I depends on it).
    @Test func floodPuzzleIsBoundToItsR1() throws {
        var network = try Self.network(ceiling: 10)
        _ = try Self.flood(&network, count: 1001)   // the 1001st is refused: flood from now on
        network.now = network.now + .seconds(1)
        let stranger = Endpoint(address: try #require(IPAddress("198.51.100.7")), transport: network.transport)
        let i1 = HIPPacket(type: .i1, senderHIT: network.peers[0].host.localHIT,
                           receiverHIT: network.peers[1].host.localHIT, parameters: [.dhGroupList([7])]).serialize()
        let before = network.sent.count
        network.deliver(Datagram(bytes: i1, type: .i1, from: 0, to: 1, source: stranger,
                                 destination: network.peers[1].address, isRetransmission: false, sentAt: network.now))
        let r1 = try #require(network.sent[before...].first { $0.type == .r1 })
        let puzzle = try #require(try HIPPacket.parse(r1.bytes).puzzle)
        #expect(puzzle.k == 10)
        #expect(network.peers[1].host.counters.floodPuzzleR1s == 1)

        let (initiator, responder) = (network.peers[0].host.localHIT, network.peers[1].host.localHIT)
        let hash = network.peers[1].host.local.responderHash
        let local = network.peers[1].host.local
        for k: UInt8 in [4, 10] {
            let j = try #require(PuzzleSolver.solve(i: puzzle.random, k: k, hitI: initiator, hitR: responder, hash: hash,
                                                    start: [UInt8](repeating: k, count: hash.digestLength)))
            let solution = Solution(k: k, opaque: puzzle.opaque, random: puzzle.random, solution: j)
            var pool = network.peers[1].host.pool
            let result = pool.admit(solution, r1Counter: 1, initiator: initiator, source: stranger.address,
                                    destination: network.peers[1].address, local: local)
            switch (k, result) {
            case (4, .failure(.puzzleMismatch)), (10, .success): break
            default: Issue.record("#K \(k): \(result)")
            }
        }
        // The flood puzzle ends `i1FloodMemory` after the last refused I1.
        network.now = network.now + CoreLimits.i1FloodMemory
        let after = network.sent.count
        network.deliver(Datagram(bytes: i1, type: .i1, from: 0, to: 1, source: stranger,
                                 destination: network.peers[1].address, isRetransmission: false, sentAt: network.now))
        #expect(try Self.k(try #require(network.sent[after...].first { $0.type == .r1 })) == 4)
    }
}

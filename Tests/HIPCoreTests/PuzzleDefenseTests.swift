// The Responder's defences around the puzzle: each solution (#I, #J) takes at most two I2s past the puzzle
// check (to the DH computation), the memory of attempts is bounded by rotating the generation early, and
// #K goes up while solved I2s keep failing later checks, back down after calm generations.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct PuzzleDefenseTests {
    static func network(_ responder: HostSettings = TestHosts.fastSettings()) throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, seed: 201), try TestHosts.make(great, settings: responder, seed: 202)])
    }

    /// A copy of the held I2 with its HIP_MAC bytes flipped: same solution, garbage MAC.
    static func garbageMAC(_ held: HeldI2) throws -> Datagram {
        let mac = try #require(tlvLayout(held.datagram.bytes).first { $0.type == ParameterType.hipMAC })
        var copy = held.datagram
        for index in mac.contents { copy.bytes[index] ^= 0xFF }
        return copy
    }

    /// A copy of the held I2 with another #J that solves the same puzzle (the attacker's cheap work): it
    /// passes the puzzle check, and then fails HIP_MAC (KEYMAT is salted with #J), or, with `cipher`, the
    /// HIP_CIPHER choice (before any DH).
    static func solvedAgain(_ held: HeldI2, start: [UInt8], responder: HostIdentity, cipher: UInt16? = nil) throws -> Datagram {
        var packet = try HIPPacket.parse(held.datagram.bytes)
        let index = try #require(packet.parameters.firstIndex { $0.type == ParameterType.solution })
        var solution = try #require(packet.solution)
        let hash = responder.publicIdentity.hitSuite.hash
        solution.solution = try #require(PuzzleSolver.solve(i: solution.random, k: solution.k, hitI: packet.senderHIT,
                                                            hitR: packet.receiverHIT, hash: hash, start: start))
        packet.parameters[index] = .solution(solution)
        if let cipher, let at = packet.parameters.firstIndex(where: { $0.type == ParameterType.hipCipher }) {
            packet.parameters[at] = .hipCipher([cipher])
        }
        var copy = held.datagram
        copy.bytes = packet.serialize()
        return copy
    }

    /// `count` distinct start values for the solver.
    static func starts(_ count: Int, seed: UInt64) -> [[UInt8]] {
        let random = SeededRandom(seed: seed)
        return (0..<count).map { _ in random.bytes(48) }
    }

    /// A tampered copy first (attempt 1) still lets the genuine I2 (attempt 2) through; after two garbage
    /// copies the solution is used up: the third copy and the genuine I2 are refused before any DH.
    @Test(arguments: [1, 2])
    func eachSolutionGetsTwoAttempts(garbageCopies: Int) throws {
        var network = try Self.network()
        let held = try network.holdI2()
        let garbage = try Self.garbageMAC(held)
        let before = HostFingerprint(network.peers[1])
        for _ in 0..<garbageCopies { network.deliver(garbage) }
        #expect(network.peers[1].rejectionReasons == Array(repeating: .macFailed, count: garbageCopies))
        #expect(HostFingerprint(network.peers[1]) == before)
        network.deliver(held.datagram)
        if garbageCopies == 1 {
            #expect(network.association(1, with: 0)?.state == .r2Sent)
            return
        }
        network.deliver(garbage)
        #expect(network.peers[1].rejectionReasons.suffix(2) == [.solutionAttemptsExhausted, .solutionAttemptsExhausted])
        // The first cause stays visible in the rejection (and so in the log line).
        let last = try #require(network.peers[1].rejections.last)
        #expect(last.firstCause == .macFailed)
        #expect(last.description.hasSuffix("puzzle solution attempts exhausted (first attempt: HMAC failed)"))
        #expect(network.peers[1].host.counters.rejected(.solutionAttemptsExhausted) == 2)
        #expect(network.association(1, with: 0) == nil && network.queue.isEmpty)
        #expect(HostFingerprint(network.peers[1]) == before)
    }

    /// Attempts are remembered for at most `attemptedSolutionsPerGeneration` solutions per generation: the
    /// last one rotates the generation at once. (No adaptive difficulty here, and the I2s fail on their
    /// HIP_CIPHER choice, so no DH is computed.)
    @Test func fullAttemptMemoryRotatesTheGeneration() throws {
        var settings = TestHosts.fastSettings()
        settings.puzzleDifficultyCeiling = settings.puzzleDifficulty
        var network = try Self.network(settings)
        let held = try network.holdI2()
        let responder = try TestIdentities.pair(.ecdsaP256).greater
        let limit = CoreLimits.attemptedSolutionsPerGeneration
        let attacks = try Self.starts(limit, seed: 9).map {
            try Self.solvedAgain(held, start: $0, responder: responder, cipher: 99)
        }
        for attack in attacks.dropLast() { network.deliver(attack) }
        #expect(network.peers[1].host.r1Generation == 1)
        #expect(network.peers[1].host.pool.current.attempts.count == limit - 1)
        network.deliver(try #require(attacks.last))
        let host = network.peers[1].host
        #expect(host.counters.rejected(.invalidHIPCipherChosen) == UInt64(limit))
        #expect(host.r1Generation == 2 && host.counters.puzzleRotations == 1)
        #expect(host.pool.current.attempts.isEmpty)
        // The genuine I2 answers the previous generation: still accepted.
        network.deliver(held.datagram)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
    }

    /// Solved I2s that fail HIP_MAC: at the threshold the generation rotates at once with #K + 4 (up to the
    /// ceiling); two calm generations bring #K back to the configured value.
    @Test func failingSolvedI2sRaiseTheDifficulty() throws {
        var settings = TestHosts.fastSettings()
        settings.puzzleDifficulty = 4
        settings.puzzleDifficultyCeiling = 10
        var network = try Self.network(settings)
        let held = try network.holdI2()
        let responder = try TestIdentities.pair(.ecdsaP256).greater
        let threshold = CoreLimits.failedI2sForHarderPuzzle
        let attacks = try Self.starts(2 * threshold, seed: 10).map {
            try Self.solvedAgain(held, start: $0, responder: responder)
        }
        for attack in attacks.prefix(threshold - 1) { network.deliver(attack) }
        #expect(network.peers[1].host.r1Generation == 1 && network.peers[1].host.puzzleDifficulty == 4)
        network.deliver(attacks[threshold - 1])
        #expect(network.peers[1].rejectionReasons == Array(repeating: .macFailed, count: threshold))
        #expect(network.peers[1].host.r1Generation == 2 && network.peers[1].host.puzzleDifficulty == 8)
        #expect(network.peers[1].host.counters.puzzleDifficultyRaises == 1)
        // New R1s ask the harder puzzle.
        var host = network.peers[1].host
        let r1 = try HIPPacket.parse(try R1PoolTests.r1(&host, from: network.peers[0].host.localHIT, at: "198.18.0.9"))
        #expect(r1.puzzle?.k == 8 && r1.r1Counter == 2)
        // More failures (against the previous, easier generation, still valid): up to the ceiling, not beyond.
        for attack in attacks.suffix(threshold) { network.deliver(attack) }
        #expect(network.peers[1].host.r1Generation == 3 && network.peers[1].host.puzzleDifficulty == 10)
        #expect(network.peers[1].host.counters.puzzleDifficultyRaises == 2)
        // Calm: the first rotation keeps #K, the second returns to the configured value.
        let rotation = settings.puzzleSecretLifetime
        network.now = network.now + rotation
        network.handle(.timer, at: 1)
        #expect(network.peers[1].host.r1Generation == 4 && network.peers[1].host.puzzleDifficulty == 10)
        network.now = network.now + rotation
        network.handle(.timer, at: 1)
        #expect(network.peers[1].host.r1Generation == 5 && network.peers[1].host.puzzleDifficulty == 4)
        var calm = network.peers[1].host
        let easier = try HIPPacket.parse(try R1PoolTests.r1(&calm, from: network.peers[0].host.localHIT, at: "198.18.0.9"))
        #expect(easier.puzzle?.k == 4 && easier.r1Counter == 5)
    }

    /// A replayed I2 from 2,000 spoofed sources within one second draws at most the duplicate-I2 budget of
    /// R2s (100 per second in total), not one each; the genuine retransmission is still answered later.
    @Test func replayedI2FromSpoofedSourcesDrawsBoundedR2s() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let i2 = try #require(network.sent.first { $0.type == .i2 })
        let before = network.sent.filter { $0.type == .r2 }.count
        for index in 0..<2000 {
            let source = Endpoint(address: try #require(IPAddress("10.\(index / 250).\(index % 250).1")), transport: i2.source.transport)
            network.deliver(Datagram(bytes: i2.bytes, type: .i2, from: 0, to: 1, source: source, destination: i2.destination,
                                     isRetransmission: true, sentAt: network.now))
        }
        let answered = network.sent.filter { $0.type == .r2 }.count - before
        #expect(answered <= 100 && answered > 0)
        #expect(network.peers[1].host.counters.rejected(.rateLimited) == UInt64(2000 - answered))
        network.now = network.now + .seconds(2)
        network.deliver(i2)
        #expect(network.sent.filter { $0.type == .r2 }.count - before == answered + 1)
    }
}

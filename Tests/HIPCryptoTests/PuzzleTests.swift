// Puzzle (RFC 7401 §4.1.2): captured and synthetic solutions, cutehip's wrong-order solution, solve().
import HIPCrypto
import HIPWire
import SynapticTestSupport
import Testing

@Suite struct PuzzleTests {
    struct Captured {
        let i: [UInt8], j: [UInt8], synthetic: [UInt8]?, k: UInt8, hitI: HIT, hitR: HIT
    }

    static func captured(_ run: String) throws -> Captured {
        let json = try Vectors.load()[run]
        let initiator = json["hosts"][json["roles"]["initiator"].string ?? ""]
        let responder = json["hosts"][json["roles"]["responder"].string ?? ""]
        let puzzle = json["puzzle"]
        return Captured(
            i: try #require(puzzle["I_hex"].bytes), j: try #require(puzzle["J_hex"].bytes),
            synthetic: puzzle["synthetic_rfc_solution"]["J_hex"].bytes,
            k: UInt8(try #require(puzzle["K"].int)),
            hitI: try #require(initiator["hit"].string.flatMap { HIT($0) }),
            hitR: try #require(responder["hit"].string.flatMap { HIT($0) }))
    }

    /// run1 and the repo pcap (K = 16): the synthetic RFC-order #J is accepted, cutehip's captured #J (solved
    /// in the order #I | HIT-R | HIT-I | #J) is rejected, and so is the synthetic one with the HITs swapped.
    @Test(arguments: ["run1", "repo_hip_pcap"])
    func syntheticSolutionAcceptedCutehipRejected(run: String) throws {
        let puzzle = try Self.captured(run)
        #expect(puzzle.k == 16)
        let synthetic = try #require(puzzle.synthetic)
        #expect(PuzzleSolver.verify(i: puzzle.i, j: synthetic, k: 16, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256))
        #expect(!PuzzleSolver.verify(i: puzzle.i, j: puzzle.j, k: 16, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256))
        #expect(!PuzzleSolver.verify(i: puzzle.i, j: synthetic, k: 16, hitI: puzzle.hitR, hitR: puzzle.hitI, hash: .sha256))
        // The smallest solution counting from zero is the synthetic one.
        let solved = PuzzleSolver.solve(i: puzzle.i, k: 16, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256,
                                        start: [UInt8](repeating: 0, count: 32))
        #expect(solved == synthetic)
    }

    /// run5 (K = 0): any #J passes, including the captured one.
    @Test func kZeroAcceptsAnyJ() throws {
        let puzzle = try Self.captured("run5")
        #expect(puzzle.k == 0)
        #expect(PuzzleSolver.verify(i: puzzle.i, j: puzzle.j, k: 0, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256))
        #expect(PuzzleSolver.solve(i: puzzle.i, k: 0, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256,
                                   start: puzzle.j) == puzzle.j)
    }

    @Test func solveFindsValidSolutionsForK8Through16() throws {
        let puzzle = try Self.captured("run1")
        for k in UInt8(8)...16 {
            for hash in [HashAlgorithm.sha256, .sha384] {
                let i = Array(SystemRandom.bytes(hash.digestLength))
                let start = SystemRandom.bytes(hash.digestLength)
                let j = try #require(PuzzleSolver.solve(i: i, k: k, hitI: puzzle.hitI, hitR: puzzle.hitR,
                                                        hash: hash, start: start))
                #expect(j.count == hash.digestLength)
                #expect(PuzzleSolver.verify(i: i, j: j, k: k, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: hash))
                // Check the low K bits directly on the digest as a second path.
                let digest = hash.digest(i + puzzle.hitI.bytes + puzzle.hitR.bytes + j)
                let low = UInt32(digest[digest.count - 3]) << 16 | UInt32(digest[digest.count - 2]) << 8
                    | UInt32(digest[digest.count - 1])
                #expect(low & ((1 << UInt32(k)) - 1) == 0)
            }
        }
    }

    @Test func rejectsWrongLengthsAndImpossibleDifficulty() throws {
        let puzzle = try Self.captured("run1")
        let synthetic = try #require(puzzle.synthetic)
        #expect(!PuzzleSolver.verify(i: puzzle.i, j: synthetic, k: 16, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha384))
        #expect(!PuzzleSolver.verify(i: Array(puzzle.i.dropLast()), j: synthetic, k: 0, hitI: puzzle.hitI,
                                     hitR: puzzle.hitR, hash: .sha256))
        #expect(!PuzzleSolver.verify(i: puzzle.i, j: synthetic, k: 255, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256))
        #expect(PuzzleSolver.solve(i: puzzle.i, k: 40, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256,
                                   start: synthetic) == nil)
        #expect(PuzzleSolver.solve(i: puzzle.i, k: 1, hitI: puzzle.hitI, hitR: puzzle.hitR, hash: .sha256,
                                   start: [0]) == nil)
    }
}

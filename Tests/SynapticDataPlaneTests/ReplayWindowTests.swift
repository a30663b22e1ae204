// Anti-replay window with ESN inference (RFC 4303 §3.4.3, Appendix A2), against a set-based model.
@testable import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("Anti-replay window")
struct ReplayWindowTests {
    /// Checks, and updates when accepted (as if the ICV verified); returns the inferred number or nil.
    static func receive(_ window: inout ReplayWindow, _ sequence: UInt64) -> UInt64? {
        guard let inferred = try? window.check(UInt32(truncatingIfNeeded: sequence)) else { return nil }
        window.update(inferred)
        return inferred
    }

    @Test("the window holds at least 1024 packets")
    func size() { #expect(ReplayWindow.size >= 1024) }

    @Test("in order, then duplicates are rejected")
    func duplicates() throws {
        var window = ReplayWindow()
        for sequence in UInt64(1)...100 { #expect(Self.receive(&window, sequence) == sequence) }
        for sequence in UInt64(1)...100 {
            #expect(throws: DataPlaneError.replayed) { try window.check(UInt32(sequence)) }
        }
        #expect(throws: DataPlaneError.tooOld) { try window.check(0) }
    }

    @Test("reordering within the window is accepted once; older than the window is rejected")
    func reordering() throws {
        var window = ReplayWindow()
        let top: UInt64 = 5000
        #expect(Self.receive(&window, top) == top)
        let oldest = top - UInt64(ReplayWindow.size) + 1
        for sequence in stride(from: top - 1, through: oldest, by: -7) {
            #expect(Self.receive(&window, sequence) == sequence)
            #expect(Self.receive(&window, sequence) == nil)
        }
        // Left of the window, RFC 4303 A2.2 infers the next subspace: the ICV (computed with the wrong high
        // bits) rejects the packet, and the window marks it as implausibly far ahead (counted as replay).
        let stale = try window.check(UInt32(oldest - 1))
        #expect(stale == 1 << 32 | (oldest - 1))
        #expect(window.isFarAhead(stale))
        #expect(!window.isFarAhead(top + 1_000_000))
        // Far ahead within the same subspace (a forged or corrupted number, not an old packet): not a replay.
        let forged = try window.check(UInt32(top + (1 << 31) + 1000))
        #expect(forged == top + (1 << 31) + 1000)
        #expect(!window.isFarAhead(forged))
        // A jump of more than the window clears everything behind it.
        #expect(Self.receive(&window, top + 10_000) == top + 10_000)
        #expect(Self.receive(&window, top + 10_000 - 1) == top + 10_000 - 1)
        #expect(window.isFarAhead(try window.check(UInt32(top))))
    }

    @Test("the high 32 bits are inferred across the 2^32 wrap, forwards and for late packets")
    func extendedSequenceWrap() throws {
        var window = ReplayWindow()
        let wrap: UInt64 = 1 << 32
        #expect(Self.receive(&window, 1) == 1)
        #expect(Self.receive(&window, 1 << 31) == 1 << 31)       // a jump forward within subspace 0
        #expect(Self.receive(&window, wrap - 3) == wrap - 3)
        #expect(Self.receive(&window, wrap + 2) == wrap + 2)     // low 2 → inferred high 1
        #expect(window.top == wrap + 2)
        #expect(Self.receive(&window, wrap - 1) == wrap - 1)     // late packet, low 0xFFFFFFFF → high 0
        #expect(Self.receive(&window, wrap) == wrap)             // low 0 → high 1
        #expect(Self.receive(&window, wrap - 1) == nil)          // duplicate across the wrap
        #expect(try window.check(UInt32.max - 10) == wrap - 11)  // inside the window, previous subspace
        // Far into subspace 1, a low number below the window means subspace 2.
        #expect(Self.receive(&window, wrap + 100_000) == wrap + 100_000)
        #expect(try window.check(5) == 2 * wrap + 5)
        // At the very start nothing belongs to a subspace before 0.
        #expect(throws: DataPlaneError.tooOld) { try ReplayWindow().check(UInt32.max) }
    }

    @Test("random reordering, duplication and loss agree with a set-based model", arguments: [1 as UInt64, 0xFFFF_F000])
    func model(start: UInt64) {
        var generator = SeededGenerator(seed: start)
        var window = ReplayWindow()
        var seen = Set<UInt64>()
        var top: UInt64 = 0
        var next = start
        var inFlight: [UInt64] = []
        for _ in 0..<30_000 {
            for _ in 0..<Int.random(in: 0...3, using: &generator) { inFlight.append(next); next += 1 }
            guard !inFlight.isEmpty else { continue }
            let pick = Int.random(in: 0..<inFlight.count, using: &generator)
            let sequence = inFlight[pick]
            if Int.random(in: 0..<10, using: &generator) != 0 { inFlight.remove(at: pick) }  // 10% duplicated
            if Int.random(in: 0..<50, using: &generator) == 0 { continue }                   // 2% lost
            let acceptable = sequence > top || (top - sequence < UInt64(ReplayWindow.size) && !seen.contains(sequence))
            let inferred = try? window.check(UInt32(truncatingIfNeeded: sequence))
            if acceptable {
                #expect(inferred == sequence, "sequence \(sequence), top \(top)")
                window.update(sequence)
                seen.insert(sequence)
                top = max(top, sequence)
            } else {
                // Rejected by the window, or inferred into another subspace so that the ICV fails.
                #expect(inferred != sequence, "sequence \(sequence), top \(top)")
            }
        }
        #expect(window.top == top)
        #expect(top > start + 20_000)
    }
}

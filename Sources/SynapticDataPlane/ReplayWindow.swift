// Anti-replay with 64-bit Extended Sequence Numbers: RFC 4303 §3.4.3 and Appendix A2.
//
//   bitmap: 32 words × 64 bits, a ring indexed by sequence number (word = (seq >> 6) mod 32,
//   bit = seq mod 64); the window is the 1984 (= 31 × 64) numbers ending at `top`, the highest
//   authenticated sequence number, so advancing clears whole words and never a live bit.
//
//   receive: low 32 bits on the wire → infer the high 32 bits (A2.2) → check (duplicate / left of
//   window) → open and verify the ICV with the inferred number → update (only after a good ICV).

/// The anti-replay state of one inbound SA. Check before opening, update after a successful open.
/// A value type with no allocation; owned by whoever processes that SA's packets in order.
public struct ReplayWindow: Sendable {
    /// Sequence numbers accepted behind the highest one seen.
    public static let size = (DataPlaneLimits.replayBitmapWords - 1) * 64

    private var bitmap = InlineArray<32, UInt64>(repeating: 0)
    /// Highest authenticated sequence number; 0 before the first packet (numbering starts at 1).
    public private(set) var top: UInt64 = 0

    public init() {}

    /// Infers the full 64-bit sequence number of a packet whose low 32 bits are `low` (RFC 4303 A2.2)
    /// and checks it. Throws a `.replay` error for a duplicate, a number left of the window, or a number
    /// past 2^64 − 1. The returned number is what the ICV must be verified with.
    public func check(_ low: UInt32) throws(DataPlaneError) -> UInt64 {
        let sequence = try infer(low)
        guard sequence != 0 else { throw .tooOld }
        if sequence > top { return sequence }
        guard top - sequence < UInt64(Self.size) else { throw .tooOld }
        guard !isMarked(sequence) else { throw .replayed }
        return sequence
    }

    /// Records `sequence` (returned by `check`, and authenticated) as received.
    public mutating func update(_ sequence: UInt64) {
        if sequence > top {
            let oldWord = top >> 6
            let newWord = sequence >> 6
            if newWord - oldWord >= UInt64(DataPlaneLimits.replayBitmapWords) {
                for index in 0..<DataPlaneLimits.replayBitmapWords { bitmap[index] = 0 }
            } else {
                var word = oldWord + 1
                while word <= newWord {
                    bitmap[Self.wordIndex(word)] = 0
                    word += 1
                }
            }
            top = sequence
        }
        bitmap[Self.wordIndex(sequence >> 6)] |= 1 << (sequence & 63)
    }

    /// Whether `sequence` (from `check`) was inferred into a later subspace than the window's top and lies
    /// 2^31 or more ahead of it: a packet from left of the window (fewer than 2^31 behind) that RFC 4303
    /// A2.2 infers into the next subspace, where it lands 2^32 − age ahead. Its ICV fails; the caller
    /// counts that as a replay. A number far ahead within the top's own subspace is no old packet (forged,
    /// or corrupted): its ICV failure stays an authentication failure.
    public func isFarAhead(_ sequence: UInt64) -> Bool {
        sequence >> 32 > top >> 32 && sequence - top >= 1 << 31
    }

    private func isMarked(_ sequence: UInt64) -> Bool {
        bitmap[Self.wordIndex(sequence >> 6)] & (1 << (sequence & 63)) != 0
    }

    @inline(__always)
    private static func wordIndex(_ word: UInt64) -> Int {
        Int(truncatingIfNeeded: word & UInt64(DataPlaneLimits.replayBitmapWords - 1))
    }

    /// RFC 4303 A2.2: where the window's bottom lies decides whether `low` belongs to the subspace of
    /// `top`, the one before it, or the one after it.
    private func infer(_ low: UInt32) throws(DataPlaneError) -> UInt64 {
        let window = UInt32(Self.size)
        let topLow = UInt32(truncatingIfNeeded: top)
        let topHigh = UInt32(truncatingIfNeeded: top >> 32)
        let bottom = topLow &- window &+ 1
        let high: UInt32
        if topLow >= window - 1 {
            // Window within one subspace: numbers below its bottom belong to the next subspace.
            if low >= bottom {
                high = topHigh
            } else {
                guard topHigh < UInt32.max else { throw .tooOld }
                high = topHigh + 1
            }
        } else {
            // Window spans two subspaces: numbers at or above its (wrapped) bottom belong to the previous one.
            if low >= bottom {
                guard topHigh > 0 else { throw .tooOld }
                high = topHigh - 1
            } else {
                high = topHigh
            }
        }
        return UInt64(high) << 32 | UInt64(low)
    }
}

// PuzzleSolver: the HIP puzzle (RFC 7401 §4.1.2, Appendix A).
//
//   valid  ⇔  Ltrunc( RHASH( #I | HIT-I | HIT-R | #J ), #K ) == 0
//   Ltrunc(x, K) = the K lowest-order bits of x: the digest, read as a big-endian number, is ≡ 0 mod 2^K.
//   #I and #J are RHASH_len bits; HIT-I is the Initiator's HIT, HIT-R the Responder's.
//   (cutehip hashes #I | HIT-R | HIT-I | #J; such solutions are rejected here, as RFC 7401 requires.)
import COpenSSL
import HIPWire

/// Solving and checking puzzles. Pure and CPU-bound; call from anywhere (solve may take a while for large K).
public enum PuzzleSolver {
    /// A #J, counting up (big-endian, wrapping) from `start`, that solves the puzzle; nil if #I or `start`
    /// is not `hash.digestLength` bytes, K exceeds `Limits.puzzleMaxDifficulty` (28), or no solution was
    /// found within 2^(K+8) tries (probability about e^-256), or libcrypto fails.
    public static func solve(i: [UInt8], k: UInt8, hitI: HIT, hitR: HIT, hash: HashAlgorithm, start: [UInt8]) -> [UInt8]? {
        let length = hash.digestLength
        guard i.count == length, start.count == length, k <= Limits.puzzleMaxDifficulty else { return nil }
        var input = i + hitI.bytes + hitR.bytes + start
        let jOffset = input.count - length
        var digest = [UInt8](repeating: 0, count: length)
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        let attempts = UInt64(1) << (UInt64(k) + 8)
        for _ in 0..<attempts {
            // One reused context: no allocation per attempt.
            let hashed = input.withUnsafeBytes { source in
                EVP_DigestInit_ex2(context, hash.evpMD, nil) == 1
                    && EVP_DigestUpdate(context, source.baseAddress, source.count) == 1
                    && EVP_DigestFinal_ex(context, &digest, nil) == 1
            }
            guard hashed else { return nil }
            if hasZeroLowBits(digest, k) { return Array(input[jOffset...]) }
            increment(&input, from: jOffset)
        }
        return nil
    }

    /// Whether #J solves the puzzle (#I, #J of `hash.digestLength` bytes; K at most the digest bits).
    public static func verify(i: [UInt8], j: [UInt8], k: UInt8, hitI: HIT, hitR: HIT, hash: HashAlgorithm) -> Bool {
        guard i.count == hash.digestLength, j.count == hash.digestLength, Int(k) <= 8 * hash.digestLength else {
            return false
        }
        return hasZeroLowBits(hash.digest(i + hitI.bytes + hitR.bytes + j), k)
    }

    /// Whether the `k` lowest-order bits of big-endian `digest` are zero.
    static func hasZeroLowBits(_ digest: [UInt8], _ k: UInt8) -> Bool {
        let wholeBytes = Int(k) / 8
        let extraBits = Int(k) % 8
        guard wholeBytes <= digest.count else { return false }
        if digest[(digest.count - wholeBytes)...].contains(where: { $0 != 0 }) { return false }
        guard extraBits > 0 else { return true }
        guard wholeBytes < digest.count else { return false }
        let mask = UInt8((1 << extraBits) - 1)
        return digest[digest.count - 1 - wholeBytes] & mask == 0
    }

    /// Adds one to the big-endian number in `bytes[from...]`, wrapping.
    private static func increment(_ bytes: inout [UInt8], from start: Int) {
        var index = bytes.count - 1
        while index >= start {
            let (value, overflow) = bytes[index].addingReportingOverflow(1)
            bytes[index] = value
            if !overflow { return }
            index -= 1
        }
    }
}

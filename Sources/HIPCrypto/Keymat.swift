// Keymat: KEYMAT generation with HKDF (RFC 7401 §6.5, RFC 5869).
//
//   KEYMAT = HKDF-Expand( HKDF-Extract(salt = #I | #J, IKM = Kij), info = sort(HIT-I | HIT-R), L )
//   hash = RHASH of the Responder's HIT suite; sort = numerically smaller HIT first (unsigned 128-bit);
//   L ≤ 255 × hash length (HKDF's limit). Keys are drawn sequentially from offset 0.
import HIPWire

/// A KEYMAT stream: `draw` hands out consecutive key slices. A value type: copying it copies the position.
/// Sendable; no I/O. Each draw recomputes HKDF up to the new end (KEYMAT is a few hundred bytes, drawn about
/// eight times per exchange), so nothing but Kij and the public inputs is kept between draws.
public struct Keymat: Sendable {
    private let hash: HashAlgorithm
    private var kij: SecretBytes
    private let salt: [UInt8]
    private let info: [UInt8]
    /// The number of bytes drawn so far (= the KEYMAT index of the next key).
    public private(set) var offset: Int = 0

    /// KEYMAT for `kij` with salt #I | #J and info = the two HITs in ascending order (either order may be
    /// passed as hitA/hitB).
    public init(hash: HashAlgorithm, kij: SecretBytes, puzzleI: [UInt8], puzzleJ: [UInt8], hitA: HIT, hitB: HIT) {
        self.hash = hash
        self.kij = kij
        self.salt = puzzleI + puzzleJ
        self.info = min(hitA, hitB).bytes + max(hitA, hitB).bytes
    }

    /// The most KEYMAT bytes HKDF can produce with this hash.
    public var capacity: Int { 255 * hash.digestLength }

    /// The next `count` bytes of KEYMAT. Throws `.keymatExhausted` past `capacity`.
    public mutating func draw(_ count: Int) throws(CryptoError) -> SecretBytes {
        precondition(count >= 0, "Keymat.draw: negative count")
        let end = offset + count
        guard end <= capacity else { throw .keymatExhausted(requested: count, available: capacity - offset) }
        let start = offset
        let output = SecretBytes(capacity: count, failable: { target in
            if count == 0 { return 0 }
            let full = SecretBytes(capacity: end, failable: { expand(into: $0) ? end : nil })
            guard let full else { return nil }
            full.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            return count
        })
        guard let output else { throw LibCrypto.failure("HKDF") }
        offset = end
        return output
    }

    /// A fresh KEYMAT (offset 0) for a new Kij with the same hash, salt (#I | #J of the base exchange) and
    /// HITs: the KEYMAT of an UPDATE rekey with a new Diffie-Hellman (RFC 7402 §6.9: KEYMAT Index 0).
    public func replacingKij(_ kij: SecretBytes) -> Keymat {
        var keymat = self
        keymat.kij = kij
        keymat.offset = 0
        return keymat
    }

    /// Moves to KEYMAT byte `index` without drawing the bytes before it: for an UPDATE rekey without
    /// Diffie-Hellman, whose ESP_INFO KEYMAT Index names where the new ESP keys start (RFC 7402 §6.9: at or
    /// after the next unused byte). Throws `.keymatExhausted` for an index behind the current offset (keys
    /// must not be drawn twice) or beyond `capacity`.
    public mutating func advance(to index: Int) throws(CryptoError) {
        guard index >= offset, index <= capacity else {
            throw .keymatExhausted(requested: index, available: capacity - offset)
        }
        offset = index
    }

    /// Writes the first `output.count` bytes of KEYMAT.
    private func expand(into output: UnsafeMutableRawBufferPointer) -> Bool {
        kij.withUnsafeBytes { HKDF.derive(hash, ikm: $0, salt: salt, info: info, into: output) }
    }
}

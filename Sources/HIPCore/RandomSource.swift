// RandomSource: the randomness the core uses (puzzle secrets, #J start, IVs via HIPCrypto callers, nonces,
// SPIs), injected so that tests can run with a seeded source.

/// A source of random bytes. Implementations must be safe to call from whichever thread owns the `HIPHost`
/// (the host calls it synchronously inside `handle`); they are shared by reference.
public protocol RandomSource: Sendable {
    /// `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A random 32-bit value.
    func uint32() -> UInt32 {
        bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
}

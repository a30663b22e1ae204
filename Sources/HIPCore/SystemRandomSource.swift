// SystemRandomSource: the production RandomSource (libsodium randombytes_buf through HIPCrypto.SystemRandom).
import HIPCrypto

/// Random bytes from the operating system's CSPRNG (via `HIPCrypto.SystemRandom`). The shell passes this to
/// `HIPHost`; tests pass a seeded source. Stateless; call from any thread.
public struct SystemRandomSource: RandomSource {
    public init() {}

    public func bytes(_ count: Int) -> [UInt8] {
        SystemRandom.bytes(count)
    }
}

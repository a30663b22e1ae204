// SystemRandom: the operating system's CSPRNG through libsodium's randombytes_buf (getrandom(2) per call),
// which measured about 3× faster than libcrypto's RAND_bytes for the short draws HIP makes (README
// "Which library does what").
import CSodium

/// Cryptographically secure random bytes. Only the shell, key generation and the IV of
/// `HIPCipher.encrypt(_:key:plaintext:)` call this directly; the protocol core takes its randomness as an
/// injected source. Thread-safe.
public enum SystemRandom {
    /// `count` random bytes. libsodium cannot return predictable bytes: if the system random source fails,
    /// it stops the process (Sodium's misuse handler says so).
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "SystemRandom.bytes: negative count")
        guard count > 0 else { return [] }
        Sodium.ready()
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            randombytes_buf(buffer.baseAddress!, count)
            initialized = count
        }
    }
}

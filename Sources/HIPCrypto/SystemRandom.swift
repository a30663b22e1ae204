// SystemRandom: the operating system's CSPRNG through libcrypto's RAND_bytes.
import COpenSSL

/// Cryptographically secure random bytes. Only the shell, key generation and the IV of
/// `HIPCipher.encrypt(_:key:plaintext:)` call this directly; the protocol core takes its randomness as an
/// injected source. Thread-safe.
public enum SystemRandom {
    /// `count` random bytes. A failing RAND_bytes means the process cannot do any cryptography safely,
    /// so it stops the process instead of returning predictable bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "SystemRandom.bytes: negative count")
        var bytes = [UInt8](repeating: 0, count: count)
        if count > 0 {
            guard RAND_bytes(&bytes, Int32(count)) == 1 else {
                fatalError("RAND_bytes failed: \(LibCrypto.drainErrors())")
            }
        }
        return bytes
    }
}

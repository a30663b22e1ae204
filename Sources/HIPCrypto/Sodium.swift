// Sodium: the small internal layer over libsodium that the rest of HIPCrypto uses. libsodium signs and
// verifies Ed25519 host identities (Ed25519.swift) and draws the system's random bytes (SystemRandom.swift);
// OpenSSL's libcrypto does everything else (LibCrypto.swift). README "Which library does what" has the
// measurements behind that split.
import CSodium

enum Sodium {
    /// sodium_init() run once per process (CPU feature detection, opening the system random source), with a
    /// misuse handler installed first so that a libsodium abort (e.g. the system random source failing in
    /// randombytes_buf) says what happened instead of a bare SIGABRT.
    private static let initialised: Bool = {
        _ = sodium_set_misuse_handler {
            fatalError("libsodium aborted (sodium_misuse): the system random source or another libsodium "
                + "precondition failed; synaptic cannot do cryptography safely")
        }
        return sodium_init() >= 0   // 0: initialised now, 1: already initialised, -1: failure
    }()

    /// Makes sure libsodium is initialised; call before any other libsodium function. A failing
    /// sodium_init() means libsodium cannot be used at all (no system random source), so it stops the
    /// process with that message instead of returning predictable bytes or keys.
    static func ready() {
        guard initialised else {
            fatalError("sodium_init() failed: libsodium cannot initialise (is getrandom(2) or /dev/urandom "
                + "available?); synaptic needs it for Ed25519 identities and random bytes")
        }
    }
}

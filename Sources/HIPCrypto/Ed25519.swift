// Ed25519: PureEdDSA (RFC 8032 §5.1) for EdDSA host identities (RFC 9374), through libsodium's crypto_sign API.
//
//   private key   the 32-byte seed (what a PKCS#8 key file holds, RFC 8410); libsodium expands it into its
//                 64-byte secret key, seed ‖ public key, which lives in SecretBytes
//   public key    32 bytes (the HOST_ID key after the EdDSA Curve field)
//   signature     64 bytes, R ‖ S, over the message itself (no prehash)
//
// Verification (crypto_sign_ed25519_verify_detached) refuses a non-canonical S (S ≥ L, as RFC 8032 §5.1.7
// requires) and, stricter than RFC 8032, a small-order R and a non-canonical or small-order public key. No
// honest signer produces those; libcrypto 3.0 accepted R = identity, S = 0 under the identity-point key for
// every message.
import CSodium

/// Ed25519 keys and signatures. Pure computation; every member may be used from any thread.
enum Ed25519 {
    /// The length of a private key (its seed, RFC 8032 §5.1.5) in bytes.
    static let seedLength = 32

    /// A public key: 32 bytes, unchecked until a signature is verified with it (as libcrypto's raw public
    /// keys were): a key that is not a valid point simply verifies nothing. Immutable.
    struct PublicKey: Sendable {
        let bytes: [UInt8]

        /// The key of `bytes`; nil unless it is 32 bytes long.
        init?(_ bytes: some Collection<UInt8>) {
            guard bytes.count == ProtocolConstants.ed25519PublicKeyLength else { return nil }
            self.bytes = Array(bytes)
        }

        /// Whether `signature` is this key's Ed25519 signature over `message`. A wrong length is `false`.
        func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            guard signature.count == ProtocolConstants.ed25519SignatureLength else { return false }
            Sodium.ready()
            return crypto_sign_ed25519_verify_detached(signature, message, UInt64(message.count), bytes) == 0
        }
    }

    /// A private key. The secret key is wiped when the last reference goes away (SecretBytes). Immutable
    /// and Sendable: sign from any thread.
    final class PrivateKey: Sendable {
        let publicKey: PublicKey
        /// libsodium's secret key: seed ‖ public key.
        private let secretKey: SecretBytes

        /// The key pair of a 32-byte seed (RFC 8032 §5.1.5), e.g. the one a key file holds; nil for a seed of
        /// another length.
        convenience init?(seed: UnsafeRawBufferPointer) {
            guard seed.count == Ed25519.seedLength, let base = seed.baseAddress else { return nil }
            try? self.init { publicKey, secretKey in
                crypto_sign_ed25519_seed_keypair(publicKey, secretKey, base.assumingMemoryBound(to: UInt8.self))
            }
        }

        /// A new key pair with a seed from the system's random bytes (crypto_sign_ed25519_keypair).
        static func generate() throws(CryptoError) -> PrivateKey {
            try PrivateKey { publicKey, secretKey in crypto_sign_ed25519_keypair(publicKey, secretKey) }
        }

        /// Lets `derive` (a libsodium key-pair function) write the public and the secret key.
        private init(
            _ derive: (UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<UInt8>) -> Int32
        ) throws(CryptoError) {
            Sodium.ready()
            var publicKey = [UInt8](repeating: 0, count: ProtocolConstants.ed25519PublicKeyLength)
            guard let secretKey = SecretBytes(capacity: crypto_sign_ed25519_secretkeybytes(), failable: { buffer in
                      let secret = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
                      return derive(&publicKey, secret) == 0 ? buffer.count : nil
                  }),
                  let key = PublicKey(publicKey)
            else { throw .library("libsodium Ed25519 key pair", detail: "crypto_sign_ed25519 key pair failed") }
            self.secretKey = secretKey
            self.publicKey = key
        }

        /// The signature over `message` (deterministic: the same key and message give the same bytes).
        func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
            var signature = [UInt8](repeating: 0, count: ProtocolConstants.ed25519SignatureLength)
            let result = secretKey.withUnsafeBytes { secret in
                crypto_sign_ed25519_detached(&signature, nil, message, UInt64(message.count),
                                             secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
            guard result == 0 else {
                throw .library("libsodium Ed25519 signing", detail: "crypto_sign_ed25519_detached failed")
            }
            return signature
        }

        /// Calls `body` with the 32-byte seed (the first half of libsodium's secret key, the bytes
        /// crypto_sign_ed25519_sk_to_seed copies), e.g. to write the key file. Do not let the pointer escape.
        func withSeed<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            secretKey.withUnsafeBytes { secret in
                body(UnsafeRawBufferPointer(rebasing: secret[0..<Ed25519.seedLength]))
            }
        }
    }
}

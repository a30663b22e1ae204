// CryptoProviders: libsodium vs OpenSSL libcrypto, side by side, for each job HIPCrypto could give either
// library (README "Which library does what"). Release build; the choice follows these numbers.
//
//  Ed25519 sign, verify   libsodium crypto_sign_ed25519_detached / _verify_detached vs libcrypto
//                         EVP_DigestSign / EVP_DigestVerify with a fresh EVP_MD_CTX per call (HIPCrypto's
//                         Ed25519 path until it moved to libsodium), same key and a 512-byte message (about
//                         an I2's signed region); plus HIPCrypto's own HostIdentity.sign and
//                         PublicHostIdentity.verify (libsodium underneath), to show what the wrapping costs
//  zeroing 32 B, 64 B     sodium_memzero vs OPENSSL_cleanse (SecretBytes' deinit and the ESP scratch wipes)
//  compare 32 B           sodium_memcmp vs CRYPTO_memcmp (constantTimeEquals); equal inputs, so both read all
//  random 4 B, 32 B       randombytes_buf vs RAND_bytes (SystemRandom: SPIs, puzzle secrets, nonces, IVs)
//
// The short operations run 1,000 times per measured iteration (scalingFactor .kilo): with `--scale` the
// table shows time per operation. Results: Perf/results/2026-12-08-crypto-providers/report.md.
//
// Run: cd Perf && swift package --allow-writing-to-package-directory benchmark --target CryptoProviders --scale
import Benchmark
import CCryptoProviders
import HIPCrypto

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.cpuTotal, .wallClock, .throughput],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(2),
        maxIterations: 1_000_000)
    let kilo = Benchmark.Configuration(metrics: [.cpuTotal, .wallClock, .throughput], timeUnits: .nanoseconds,
                                       scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 100_000)

    guard sodium_init() >= 0, let keys = try? Ed25519Keys() else {
        fatalError("CryptoProviders: could not prepare the Ed25519 keys")
    }

    Benchmark("Ed25519 sign: libsodium") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(keys.signWithSodium()) }
    }
    Benchmark("Ed25519 sign: OpenSSL") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(keys.signWithOpenSSL()) }
    }
    Benchmark("Ed25519 sign: HIPCrypto HostIdentity.sign") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try keys.identity.sign(keys.message)) }
    }
    Benchmark("Ed25519 verify: libsodium") { benchmark in
        for _ in benchmark.scaledIterations { precondition(keys.verifyWithSodium()) }
    }
    Benchmark("Ed25519 verify: OpenSSL") { benchmark in
        for _ in benchmark.scaledIterations { precondition(keys.verifyWithOpenSSL()) }
    }
    Benchmark("Ed25519 verify: HIPCrypto PublicHostIdentity.verify") { benchmark in
        for _ in benchmark.scaledIterations {
            precondition(keys.identity.publicIdentity.verify(signature: keys.identitySignature, over: keys.message))
        }
    }

    for length in [32, 64] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
        Benchmark("zero \(length) B: libsodium sodium_memzero", configuration: kilo) { benchmark in
            for _ in benchmark.scaledIterations { sodium_memzero(buffer.baseAddress, length) }
            blackHole(buffer.baseAddress)
        }
        Benchmark("zero \(length) B: OpenSSL OPENSSL_cleanse", configuration: kilo) { benchmark in
            for _ in benchmark.scaledIterations { OPENSSL_cleanse(buffer.baseAddress, length) }
            blackHole(buffer.baseAddress)
        }
    }

    let left = [UInt8](repeating: 0x5A, count: 32)
    let right = left
    Benchmark("compare 32 B: libsodium sodium_memcmp", configuration: kilo) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(sodium_memcmp(left, right, 32)) }
    }
    Benchmark("compare 32 B: OpenSSL CRYPTO_memcmp", configuration: kilo) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(CRYPTO_memcmp(left, right, 32)) }
    }

    for length in [4, 32] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
        Benchmark("random \(length) B: libsodium randombytes_buf", configuration: kilo) { benchmark in
            for _ in benchmark.scaledIterations { randombytes_buf(buffer.baseAddress!, length) }
            blackHole(buffer.baseAddress)
        }
        Benchmark("random \(length) B: OpenSSL RAND_bytes", configuration: kilo) { benchmark in
            for _ in benchmark.scaledIterations {
                precondition(RAND_bytes(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(length)) == 1)
            }
            blackHole(buffer.baseAddress)
        }
        Benchmark("random \(length) B: HIPCrypto SystemRandom.bytes", configuration: kilo) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(SystemRandom.bytes(length)) }
        }
    }
}

/// One Ed25519 key in both libraries (the same seed), a message, and each library's signature over it.
final class Ed25519Keys: @unchecked Sendable {
    let message = [UInt8]((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 29) })
    let seed = [UInt8]((0..<32).map { UInt8($0 + 1) })
    let publicKey: [UInt8]
    let secretKey: [UInt8]
    let privateKey: OpaquePointer
    let openSSLPublicKey: OpaquePointer
    var signature = [UInt8](repeating: 0, count: 64)
    let identity: HostIdentity
    let identitySignature: [UInt8]

    init() throws {
        var publicKey = [UInt8](repeating: 0, count: 32)
        var secretKey = [UInt8](repeating: 0, count: 64)
        guard crypto_sign_ed25519_seed_keypair(&publicKey, &secretKey, seed) == 0,
              let privateKey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, 32),
              let openSSLPublicKey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, 32)
        else { fatalError("CryptoProviders: key setup") }
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.privateKey = privateKey
        self.openSSLPublicKey = openSSLPublicKey
        identity = try HostIdentity.generate(.ed25519)
        identitySignature = try identity.sign(message)
        signature = signWithSodium()
        guard signWithOpenSSL() == signature, verifyWithSodium(), verifyWithOpenSSL() else {
            fatalError("CryptoProviders: libsodium and OpenSSL disagree on Ed25519")
        }
    }

    func signWithSodium() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 64)
        precondition(crypto_sign_ed25519_detached(&output, nil, message, UInt64(message.count), secretKey) == 0)
        return output
    }

    /// As HIPCrypto's libcrypto identities sign: a new EVP_MD_CTX, EVP_DigestSignInit, EVP_DigestSign.
    func signWithOpenSSL() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 64)
        var length = output.count
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        precondition(EVP_DigestSignInit(context, nil, nil, nil, privateKey) == 1
            && EVP_DigestSign(context, &output, &length, message, message.count) == 1)
        return output
    }

    func verifyWithSodium() -> Bool {
        crypto_sign_ed25519_verify_detached(signature, message, UInt64(message.count), publicKey) == 0
    }

    func verifyWithOpenSSL() -> Bool {
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        return EVP_DigestVerifyInit(context, nil, nil, nil, openSSLPublicKey) == 1
            && EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}

// SecretBytes: key material in memory that HIPCrypto wipes when the last reference goes away.
import COpenSSL

/// Immutable secret bytes (DH secrets, KEYMAT keys, Ed25519 secret keys). The bytes live in their own
/// allocation, never in a Swift array, and are wiped with OPENSSL_cleanse in deinit (libcrypto's, not
/// libsodium's sodium_memzero: as fast at 64 bytes and faster at 32 in Perf's CryptoProviders). Sendable: the
/// contents never change after init, so any thread may read them. Copy the bytes out only where an API needs
/// them, and keep such copies short-lived.
public final class SecretBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    /// The number of secret bytes.
    public let count: Int

    /// Copies `bytes` (the caller's array is not wiped; prefer APIs that produce SecretBytes directly).
    public convenience init(_ bytes: [UInt8]) {
        self.init(capacity: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
            return bytes.count
        }
    }

    /// Allocates `capacity` bytes and lets `fill` write them; `fill` returns how many it wrote (≤ capacity),
    /// or nil on failure, in which case the allocation is wiped and init returns nil.
    init?(capacity: Int, failable fill: (UnsafeMutableRawBufferPointer) -> Int?) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        guard let written = fill(UnsafeMutableRawBufferPointer(rebasing: storage[0..<capacity])),
              written >= 0, written <= capacity
        else {
            OPENSSL_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            return nil
        }
        self.storage = storage
        self.count = written
    }

    /// As above, for a `fill` that cannot fail.
    convenience init(capacity: Int, fill: (UnsafeMutableRawBufferPointer) -> Int) {
        self.init(capacity: capacity, failable: { Optional(fill($0)) })!
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Calls `body` with the secret bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }
}

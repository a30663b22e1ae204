// constantTimeEquals: comparison of MACs, ICVs and other secrets without a data-dependent timing.
import COpenSSL

/// Whether `a` and `b` hold the same bytes. The time taken depends only on the lengths (which are not
/// secret), never on where the contents differ (CRYPTO_memcmp: libcrypto's, not libsodium's sodium_memcmp,
/// which took about twice as long for 32 bytes in Perf's CryptoProviders). Pure; call from anywhere.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return withContiguousBytes(a) { left in
        withContiguousBytes(b) { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}

/// Calls `body` with the bytes of `collection`, copying only when it has no contiguous storage.
func withContiguousBytes<R>(_ collection: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    if let result = collection.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
        return result
    }
    return Array(collection).withUnsafeBytes(body)
}

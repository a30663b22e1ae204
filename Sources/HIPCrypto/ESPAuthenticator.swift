// HMAC-SHA-256-128 for ESP (RFC 4868 §2, RFC 2104): ICV = first 16 bytes of
//   SHA-256((K ⊕ opad) ‖ SHA-256((K ⊕ ipad) ‖ SPI ‖ Seq ‖ IV ‖ ciphertext ‖ ESN high 32))
// with the ESN high-order bits appended to the input but not sent (RFC 4303 §2.2.1, §3.3.2.1).
// The two SHA-256 states after the padded key blocks are computed once per SA; each packet copies them
// (a plain struct copy), so nothing is allocated per packet.
import COpenSSL

/// The keyed HMAC state of one ESP SA direction. Not thread-safe: owned by one ESPSealer or ESPOpener.
final class ESPAuthenticator {
    private var inner = SHA256_CTX()
    private var outer = SHA256_CTX()

    /// Prepares HMAC-SHA-256 under `key` (keys longer than the 64-byte block are hashed first).
    init(key: UnsafeRawBufferPointer) throws(CryptoError) {
        let blockLength = 64
        var block = [UInt8](repeating: 0, count: blockLength)
        defer { OPENSSL_cleanse(&block, blockLength) }
        if key.count > blockLength {
            var context = SHA256_CTX()
            defer { OPENSSL_cleanse(&context, MemoryLayout<SHA256_CTX>.size) }
            guard synaptic_SHA256_Init(&context) == 1,
                  synaptic_SHA256_Update(&context, key.baseAddress, key.count) == 1,
                  synaptic_SHA256_Final(&block, &context) == 1
            else { throw LibCrypto.failure("SHA256 (HMAC key)") }
        } else if let base = key.baseAddress {
            block.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: base, count: key.count)) }
        }
        for (pad, state) in [(UInt8(0x36), 0), (UInt8(0x5C), 1)] {
            var padded = block.map { $0 ^ pad }
            defer { OPENSSL_cleanse(&padded, blockLength) }
            var context = SHA256_CTX()
            guard synaptic_SHA256_Init(&context) == 1,
                  synaptic_SHA256_Update(&context, padded, blockLength) == 1
            else { throw LibCrypto.failure("SHA256 (HMAC pad)") }
            if state == 0 { inner = context } else { outer = context }
            OPENSSL_cleanse(&context, MemoryLayout<SHA256_CTX>.size)
        }
    }

    deinit {
        OPENSSL_cleanse(&inner, MemoryLayout<SHA256_CTX>.size)
        OPENSSL_cleanse(&outer, MemoryLayout<SHA256_CTX>.size)
    }

    /// Writes the 16-byte ICV of `data ‖ esnHigh` (big-endian) to `icv`.
    @inline(__always)
    func computeICV(over data: UnsafeRawBufferPointer, esnHigh: UInt32,
                    into icv: UnsafeMutableRawPointer) throws(ESPError) {
        var context = inner
        var high = esnHigh.bigEndian
        let ok = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest -> Bool in
            guard let base = digest.baseAddress,
                  synaptic_SHA256_Update(&context, data.baseAddress, data.count) == 1,
                  synaptic_SHA256_Update(&context, &high, 4) == 1,
                  synaptic_SHA256_Final(base, &context) == 1
            else { return false }
            context = outer
            guard synaptic_SHA256_Update(&context, base, 32) == 1,
                  synaptic_SHA256_Final(base, &context) == 1
            else { return false }
            icv.copyMemory(from: base, byteCount: 16)
            return true
        }
        guard ok else { throw .library }
    }
}

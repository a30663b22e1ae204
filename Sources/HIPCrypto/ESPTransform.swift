// ESPTransform: the keyed state shared by ESPSealer and ESPOpener (one SA direction), built once:
//
//   suite 13: AES-128-GCM context (key = first 16 bytes of the encryption key), salt = its last 4 bytes
//   suites 8/9: AES-128/256-CBC context + AES-ECB context for IV derivation (sealer only) + HMAC state
//   suite 7: HMAC state only
//
// A 32-byte scratch area holds the per-packet GCM nonce and AAD or the CBC IV counter block, so no
// packet needs a temporary allocation.
import COpenSSL

/// Keyed contexts of one ESP SA direction. Not thread-safe; owned by one sealer or opener.
final class ESPTransform {
    let suite: ESPSuiteID
    let cipher: ESPCipherContext?
    let ivCipher: ESPCipherContext?
    let authenticator: ESPAuthenticator?
    private let salt: UInt32
    private let scratch: UnsafeMutableRawPointer

    init(suite: ESPSuiteID, keys: ESPKeys, encrypting: Bool) throws(CryptoError) {
        guard keys.encryption.count == suite.encryptionKeyLength else {
            throw .invalidKeyLength("ESP suite \(suite.rawValue) encryption", expected: suite.encryptionKeyLength,
                                    actual: keys.encryption.count)
        }
        guard keys.authentication.count == suite.authenticationKeyLength else {
            throw .invalidKeyLength("ESP suite \(suite.rawValue) authentication",
                                    expected: suite.authenticationKeyLength, actual: keys.authentication.count)
        }
        self.suite = suite
        let built: Result<(ESPCipherContext?, ESPCipherContext?, UInt32), CryptoError> =
            keys.encryption.withUnsafeBytes { key in
                Result { () throws(CryptoError) in
                    switch suite {
                    case .aesGCM16:
                        let aesKey = UnsafeRawBufferPointer(rebasing: key[0..<16])
                        let salt = UInt32(bigEndian: key.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                        return (try ESPCipherContext(algorithm: "AES-128-GCM", key: aesKey, encrypting: encrypting),
                                nil, salt)
                    case .aes128CBCSHA256, .aes256CBCSHA256:
                        let bits = suite == .aes128CBCSHA256 ? 128 : 256
                        let ivCipher = encrypting
                            ? try ESPCipherContext(algorithm: "AES-\(bits)-ECB", key: key, encrypting: true) : nil
                        return (try ESPCipherContext(algorithm: "AES-\(bits)-CBC", key: key, encrypting: encrypting),
                                ivCipher, 0)
                    case .nullSHA256:
                        return (nil, nil, 0)
                    }
                }
            }
        (cipher, ivCipher, salt) = try built.get()
        if suite.authenticationKeyLength > 0 {
            let made: Result<ESPAuthenticator, CryptoError> = keys.authentication.withUnsafeBytes { key in
                Result { () throws(CryptoError) in try ESPAuthenticator(key: key) }
            }
            authenticator = try made.get()
        } else {
            authenticator = nil
        }
        scratch = .allocate(byteCount: 32, alignment: 16)
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 32)
    }

    deinit {
        OPENSSL_cleanse(scratch, 32)
        scratch.deallocate()
    }

    /// GCM: sets nonce = salt ‖ `explicitIV` (8 bytes as on the wire) and feeds AAD = SPI ‖ ESN high ‖
    /// seq low (RFC 4106 §5, extended sequence numbers).
    @inline(__always)
    func startGCM(spi: UInt32, sequence: UInt64, explicitIV: UnsafeRawPointer) throws(ESPError) {
        guard let cipher else { throw .library }
        scratch.storeBytes(of: salt.bigEndian, toByteOffset: 0, as: UInt32.self)
        scratch.advanced(by: 4).copyMemory(from: explicitIV, byteCount: 8)
        scratch.storeBytes(of: spi.bigEndian, toByteOffset: 16, as: UInt32.self)
        scratch.storeBytes(of: sequence.bigEndian, toByteOffset: 20, as: UInt64.self)
        let bytes = scratch.assumingMemoryBound(to: UInt8.self)
        try cipher.setIV(bytes)
        try cipher.addAAD(bytes + 16, count: 12)
    }

    /// CBC: writes the IV AES-ECB_K(SPI ‖ 0x00000000 ‖ seq64) to `iv` and sets it on the cipher.
    @inline(__always)
    func startCBC(spi: UInt32, sequence: UInt64, iv: UnsafeMutablePointer<UInt8>) throws(ESPError) {
        guard let cipher, let ivCipher else { throw .library }
        scratch.storeBytes(of: spi.bigEndian, toByteOffset: 0, as: UInt32.self)
        scratch.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        scratch.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
        try ivCipher.encryptBlock(scratch.assumingMemoryBound(to: UInt8.self), into: iv)
        try cipher.setIV(iv)
    }

    /// HMAC suites: whether the 16-byte `icv` equals the ICV of `data ‖ esnHigh` (constant-time compare).
    @inline(__always)
    func verifyICV(over data: UnsafeRawBufferPointer, esnHigh: UInt32, icv: UnsafeRawPointer) throws(ESPError) -> Bool {
        guard let authenticator else { throw .library }
        try authenticator.computeICV(over: data, esnHigh: esnHigh, into: scratch)
        return CRYPTO_memcmp(scratch, icv, suite.icvLength) == 0
    }
}

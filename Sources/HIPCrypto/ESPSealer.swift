// ESPSealer: outbound ESP for one SA (RFC 4303 §3.3; HIP: RFC 7402 §3). In place, per packet:
//
//   1. SPI ‖ Sequence Number (low 32 bits) into the 8 header bytes before the IV
//   2. IV:  suite 13: the 64-bit sequence number (unique per SA; RFC 4106 §3.1 allows a counter);
//           suites 8/9: AES-ECB_K(SPI ‖ 0x00000000 ‖ seq64) under the SA's own encryption key — NIST
//           SP 800-38A App. C's "encrypt a nonce" IV: unpredictable without K, unique per packet, and
//           needs neither a syscall nor a second key; suite 7: none
//   3. Padding 1, 2, 3, … ‖ Pad Length ‖ Next Header after the payload (RFC 4303 §2.4)
//   4. Encrypt payload‖trailer: GCM with nonce = salt ‖ IV and AAD = SPI ‖ ESN high ‖ seq low
//      (RFC 4106 §5, ESN form); CBC in place; NULL: nothing
//   5. ICV: GCM tag; else HMAC-SHA-256-128 over SPI‖Seq‖IV‖ciphertext‖ESN high (high bits not sent)
import COpenSSL

/// Seals ESP packets for one outbound SA. Owned by one thread or serial queue at a time: its OpenSSL
/// contexts must not be used concurrently (use one sealer per worker queue for parallel sealing).
/// The sequence number is the caller's (the SA database assigns them); each must be used once.
public final class ESPSealer {
    public let suite: ESPSuiteID
    private let transform: ESPTransform

    /// Keys the transform. Errors: `invalidKeyLength` when `keys` do not match `suite`; `library`.
    public init(suite: ESPSuiteID, keys: ESPKeys) throws(CryptoError) {
        self.suite = suite
        transform = try ESPTransform(suite: suite, keys: keys, encrypting: true)
    }

    /// Seals in place. `packet` starts where the ESP header goes; the payload is already at
    /// `packet[suite.headerLength ..< suite.headerLength + payloadLength]`; the buffer must hold
    /// `suite.packetLength(payloadLength:)` bytes. Returns that length. Errors: `noRoom`, `library`.
    public func seal(_ packet: UnsafeMutableRawBufferPointer, payloadLength: Int, nextHeader: UInt8,
                     spi: UInt32, sequence: UInt64) throws(ESPError) -> Int {
        guard payloadLength >= 0, payloadLength <= Int(UInt16.max) else { throw .noRoom }
        let headerLength = suite.headerLength
        let padding = suite.paddingLength(payloadLength: payloadLength)
        let plainLength = payloadLength + padding + 2
        let total = headerLength + plainLength + suite.icvLength
        guard total <= packet.count, let base = packet.baseAddress else { throw .noRoom }
        packet.storeBytes(of: spi.bigEndian, toByteOffset: 0, as: UInt32.self)
        packet.storeBytes(of: UInt32(truncatingIfNeeded: sequence).bigEndian, toByteOffset: 4, as: UInt32.self)
        var trailer = headerLength + payloadLength
        for value in 0..<padding {
            packet[trailer] = UInt8(truncatingIfNeeded: value + 1)
            trailer += 1
        }
        packet[trailer] = UInt8(padding)
        packet[trailer + 1] = nextHeader
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let esnHigh = UInt32(truncatingIfNeeded: sequence >> 32)

        let icv = base + headerLength + plainLength
        switch suite {
        case .aesGCM16:
            packet.storeBytes(of: sequence.bigEndian, toByteOffset: 8, as: UInt64.self)
            guard let cipher = transform.cipher else { throw .library }
            try transform.startGCM(spi: spi, sequence: sequence, explicitIV: base + 8)
            try cipher.transform(bytes + headerLength, count: plainLength)
            try cipher.finishSeal(tag: icv)
        case .aes128CBCSHA256, .aes256CBCSHA256:
            guard let cipher = transform.cipher, let authenticator = transform.authenticator else { throw .library }
            try transform.startCBC(spi: spi, sequence: sequence, iv: bytes + 8)
            try cipher.transform(bytes + headerLength, count: plainLength)
            try authenticator.computeICV(
                over: UnsafeRawBufferPointer(start: base, count: headerLength + plainLength), esnHigh: esnHigh, into: icv)
        case .nullSHA256:
            guard let authenticator = transform.authenticator else { throw .library }
            try authenticator.computeICV(
                over: UnsafeRawBufferPointer(start: base, count: headerLength + plainLength), esnHigh: esnHigh, into: icv)
        }
        return total
    }
}

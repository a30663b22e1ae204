// ESPOpener: inbound ESP for one SA (RFC 4303 §3.4; HIP: RFC 7402 §3). In place, per packet, after the
// caller found the SA by SPI and its replay window inferred the 64-bit sequence number:
//
//   1. length checks (header, ICV, whole cipher blocks for CBC)
//   2. HMAC suites: ICV over SPI‖Seq‖IV‖ciphertext‖ESN high, compared in constant time, BEFORE decrypting
//   3. decrypt: GCM (nonce = salt ‖ wire IV, AAD = SPI ‖ ESN high ‖ seq low; tag checked by libcrypto in
//      constant time), CBC with the wire IV; NULL: nothing
//   4. trailer: Pad Length fits, padding is 1, 2, 3, …; returns the payload window and Next Header
//
// On any error the buffer contents are unspecified (GCM has decrypted in place); drop the packet.
import COpenSSL

/// Where the payload of an opened ESP packet lies in the packet buffer, and its Next Header.
public struct ESPOpened: Hashable, Sendable {
    /// Offset of the payload from the start of the ESP packet (= suite.headerLength).
    public let payloadOffset: Int
    public let payloadLength: Int
    public let nextHeader: UInt8
}

/// Opens ESP packets of one inbound SA. Owned by one thread or serial queue at a time (use one opener
/// per worker queue for parallel opening); the replay check and update stay with the caller.
public final class ESPOpener {
    public let suite: ESPSuiteID
    private let transform: ESPTransform

    /// Keys the transform. Errors: `invalidKeyLength` when `keys` do not match `suite`; `library`.
    public init(suite: ESPSuiteID, keys: ESPKeys) throws(CryptoError) {
        self.suite = suite
        transform = try ESPTransform(suite: suite, keys: keys, encrypting: false)
    }

    /// Verifies and decrypts the ESP packet that is exactly `packet` (SPI through ICV), in place.
    /// `sequence` is the full 64-bit number the replay window inferred (its low half must be the wire's).
    /// Errors: `malformed`, `authenticationFailed`, `badPadding`, `library`.
    public func open(_ packet: UnsafeMutableRawBufferPointer, sequence: UInt64) throws(ESPError) -> ESPOpened {
        let headerLength = suite.headerLength
        let icvLength = suite.icvLength
        let cipherLength = packet.count - headerLength - icvLength
        let isCBC = suite == .aes128CBCSHA256 || suite == .aes256CBCSHA256
        guard cipherLength >= 2, !isCBC || cipherLength % 16 == 0, let base = packet.baseAddress else {
            throw .malformed
        }
        let wireLow = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        guard wireLow == UInt32(truncatingIfNeeded: sequence) else { throw .malformed }
        let spi = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let icv = base + headerLength + cipherLength
        let esnHigh = UInt32(truncatingIfNeeded: sequence >> 32)

        switch suite {
        case .aesGCM16:
            guard let cipher = transform.cipher else { throw .library }
            try transform.startGCM(spi: spi, sequence: sequence, explicitIV: base + 8)
            try cipher.transform(bytes + headerLength, count: cipherLength)
            guard cipher.finishOpen(tag: icv) else { throw .authenticationFailed }
        case .aes128CBCSHA256, .aes256CBCSHA256, .nullSHA256:
            let covered = UnsafeRawBufferPointer(start: base, count: headerLength + cipherLength)
            guard try transform.verifyICV(over: covered, esnHigh: esnHigh, icv: icv) else {
                throw .authenticationFailed
            }
            if suite != .nullSHA256 {
                guard let cipher = transform.cipher else { throw .library }
                try cipher.setIV(bytes + 8)
                try cipher.transform(bytes + headerLength, count: cipherLength)
            }
        }

        let padLength = Int(packet[headerLength + cipherLength - 2])
        let nextHeader = packet[headerLength + cipherLength - 1]
        guard padLength + 2 <= cipherLength else { throw .badPadding }
        let payloadLength = cipherLength - 2 - padLength
        for index in 0..<padLength where packet[headerLength + payloadLength + index] != UInt8(truncatingIfNeeded: index + 1) {
            throw .badPadding
        }
        return ESPOpened(payloadOffset: headerLength, payloadLength: payloadLength, nextHeader: nextHeader)
    }
}

// ESPSuiteID and ESPKeys: ESP transform suites (RFC 7402 §5.1.2, IANA) and their keys from KEYMAT (§7).
// (Named HIPKeys+ESP.swift because ESP*.swift files in this target belong to the data plane's transforms.)
//
//   Suite                      enc key                 auth key   ICV   IV
//   7  NULL + HMAC-SHA-256      0                       32         16    0    (RFC 4868: HMAC-SHA-256-128)
//   8  AES-128-CBC + HMAC-SHA-256   16                  32         16    16
//   9  AES-256-CBC + HMAC-SHA-256   32                  32         16    16
//   13 AES-GCM, 16-octet ICV    20 = AES-128 key | salt  0          16    8    (RFC 4106)
//
// Suite 13 [U8]: RFC 7402 §7 only says keys have their "natural size". We use AES-128 and draw the 4-byte
// RFC 4106 salt together with the key as one 20-byte "encryption key" (key = first 16 bytes, salt = last 4),
// as IKEv2 does for AES-GCM (RFC 4106 §8.1: KEYMAT for a GCM SA is key ‖ salt). GCM has no separate
// integrity key, so the authentication key is 0 bytes.

/// An ESP transform suite. Pure value; use anywhere.
public enum ESPSuiteID: UInt16, CaseIterable, Sendable {
    case nullSHA256 = 7
    case aes128CBCSHA256 = 8
    case aes256CBCSHA256 = 9
    case aesGCM16 = 13

    /// Bytes of the ESP encryption key drawn from KEYMAT (suite 13: 16-byte AES key ‖ 4-byte salt).
    public var encryptionKeyLength: Int {
        switch self {
        case .nullSHA256: 0
        case .aes128CBCSHA256: 16
        case .aes256CBCSHA256: 32
        case .aesGCM16: 20
        }
    }

    /// Bytes of the ESP authentication key drawn from KEYMAT (0 for GCM).
    public var authenticationKeyLength: Int {
        switch self {
        case .nullSHA256, .aes128CBCSHA256, .aes256CBCSHA256: 32
        case .aesGCM16: 0
        }
    }

    /// ICV bytes on the wire.
    public var icvLength: Int { 16 }

    /// Explicit IV bytes on the wire.
    public var ivLength: Int {
        switch self {
        case .nullSHA256: 0
        case .aes128CBCSHA256, .aes256CBCSHA256: 16
        case .aesGCM16: 8
        }
    }
}

/// The keys of one ESP SA (one direction). Immutable and Sendable.
public struct ESPKeys: Sendable {
    /// The encryption key (suite 13: AES-128 key ‖ 4-byte salt; suite 7: empty).
    public let encryption: SecretBytes
    /// The HMAC key (suite 13: empty).
    public let authentication: SecretBytes

    public init(encryption: SecretBytes, authentication: SecretBytes) {
        self.encryption = encryption
        self.authentication = authentication
    }

    /// Draws the encryption key, then the authentication key, for `suite` from `keymat` (RFC 7402 §7 order).
    public init(drawingFrom keymat: inout Keymat, suite: ESPSuiteID) throws(CryptoError) {
        let encryption = try keymat.draw(suite.encryptionKeyLength)
        let authentication = try keymat.draw(suite.authenticationKeyLength)
        self.init(encryption: encryption, authentication: authentication)
    }
}

// HIPKeys: the keys of one association, drawn from KEYMAT in RFC order (RFC 7401 §6.5, RFC 7402 §7).
//
//   offset 0:  HIP-gl encryption  (HIP_CIPHER key length)     "gl" = sent by the host with the greater HIT
//              HIP-gl integrity   (RHASH length)
//              HIP-lg encryption
//              HIP-lg integrity
//   ESP_INFO KEYMAT Index = here (2 × (cipher key + RHASH length), e.g. 96 for AES-128 + SHA-256)
//              SA-gl ESP encryption, SA-gl ESP authentication  (the SA the greater-HIT host sends on)
//              SA-lg ESP encryption, SA-lg ESP authentication

/// The HIP and ESP keys of an association. Immutable and Sendable.
public struct HIPKeys: Sendable {
    public let glEncryption: SecretBytes
    public let glIntegrity: SecretBytes
    public let lgEncryption: SecretBytes
    public let lgIntegrity: SecretBytes
    /// The KEYMAT offset of the first ESP key (the ESP_INFO KEYMAT Index of the base exchange).
    public let espKeymatIndex: UInt16
    public let espGL: ESPKeys
    public let espLG: ESPKeys

    /// Draws all keys from `keymat` (normally fresh, at offset 0) and leaves it after the last ESP key.
    /// `hash` is RHASH (integrity key length). Throws `.keymatExhausted` if KEYMAT runs out or the ESP
    /// keys would start beyond the 16-bit KEYMAT Index.
    public init(keymat: inout Keymat, cipher: HIPCipherID, hash: HashAlgorithm, esp: ESPSuiteID) throws(CryptoError) {
        glEncryption = try keymat.draw(cipher.keyLength)
        glIntegrity = try keymat.draw(hash.digestLength)
        lgEncryption = try keymat.draw(cipher.keyLength)
        lgIntegrity = try keymat.draw(hash.digestLength)
        guard let index = UInt16(exactly: keymat.offset) else {
            throw .keymatExhausted(requested: keymat.offset, available: Int(UInt16.max))
        }
        espKeymatIndex = index
        espGL = try ESPKeys(drawingFrom: &keymat, suite: esp)
        espLG = try ESPKeys(drawingFrom: &keymat, suite: esp)
    }
}

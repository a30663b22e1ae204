// SessionKeys: the keys of one association, drawn from KEYMAT (RFC 7401 §6.5, RFC 7402 §7) and mapped to
// directions: "gl" keys protect what the host with the greater HIT sends.
//
// Stages: Kij (DH) → KEYMAT = HKDF(RHASH, salt #I‖#J, info sorted HITs, Kij) → HIP-gl enc, HIP-gl int,
// HIP-lg enc, HIP-lg int, ESP gl enc/auth, ESP lg enc/auth (HIPCrypto.HIPKeys) → outgoing/incoming →
// the KEYMAT position kept for DH-less rekeys; #I, #J and Kij exported only when the settings say so.
import HIPCrypto
import HIPWire

/// The association keys seen from our side. Immutable; the secrets are zeroed when the last copy goes.
struct SessionKeys: Sendable {
    /// RHASH of the association (the Responder's HIT suite).
    let hash: HashAlgorithm
    let cipher: HIPCipherID
    let suite: ESPSuiteID
    let outgoingIntegrity: SecretBytes
    let incomingIntegrity: SecretBytes
    let outgoingEncryption: SecretBytes
    let incomingEncryption: SecretBytes
    let espOutbound: ESPKeys
    let espInbound: ESPKeys
    /// ESP_INFO KEYMAT Index: where the ESP keys start.
    let keymatIndex: UInt16
    /// What KEYMAT was drawn from, when exported (for the keylog; Kij zeroed with the last copy); nil
    /// otherwise.
    let keymatInputs: KeymatInputs?
    /// KEYMAT after the last ESP key drawn: where an UPDATE rekey without Diffie-Hellman draws the next ESP
    /// keys from (RFC 7402 §6.9). It holds Kij (zeroed when the last copy goes; a rekey with a new
    /// Diffie-Hellman replaces it).
    let keymat: Keymat

    /// Draws the keys from Kij; keeps `keymatInputs` (with `group`) only when `exportsInputs`.
    init(kij: SecretBytes, puzzleI: [UInt8], puzzleJ: [UInt8], local: HIT, peer: HIT, hash: HashAlgorithm,
         cipher: HIPCipherID, suite: ESPSuiteID, group: DHGroup, exportsInputs: Bool) throws(CryptoError) {
        var keymat = Keymat(hash: hash, kij: kij, puzzleI: puzzleI, puzzleJ: puzzleJ, hitA: local, hitB: peer)
        let keys = try HIPKeys(keymat: &keymat, cipher: cipher, hash: hash, esp: suite)
        self.keymat = keymat
        self.hash = hash
        self.cipher = cipher
        self.suite = suite
        keymatInputs = exportsInputs ? KeymatInputs(dhGroup: group, kij: kij, puzzleI: puzzleI, puzzleJ: puzzleJ,
                                                    hash: hash, hipCipher: cipher) : nil
        keymatIndex = keys.espKeymatIndex
        if local > peer {
            outgoingEncryption = keys.glEncryption
            outgoingIntegrity = keys.glIntegrity
            incomingEncryption = keys.lgEncryption
            incomingIntegrity = keys.lgIntegrity
            espOutbound = keys.espGL
            espInbound = keys.espLG
        } else {
            outgoingEncryption = keys.lgEncryption
            outgoingIntegrity = keys.lgIntegrity
            incomingEncryption = keys.glEncryption
            incomingIntegrity = keys.glIntegrity
            espOutbound = keys.espLG
            espInbound = keys.espGL
        }
    }
}

// KeymatInputs: what an association's KEYMAT is drawn from (RFC 7401 §6.5, RFC 7402 §7).
//
//   KEYMAT = HKDF-Expand(HKDF-Extract(salt = #I ‖ #J, IKM = Kij), info = sort(HIT-I ‖ HIT-R))  with RHASH
//   drawn: HIP-gl enc, HIP-gl int, HIP-lg enc, HIP-lg int (HIP cipher key and RHASH lengths),
//          then SA-gl ESP enc/auth, SA-lg ESP enc/auth (ESP suite key lengths)

import HIPCrypto

/// The secret and public inputs of an association's KEYMAT: with the two HITs and the ESP suite they give
/// every key of the association again (`Keymat`, `HIPKeys`), for offline verification of a keylog.
/// Contains the Diffie-Hellman secret: only the keylog may write it out; kept only with
/// `HostSettings.exportsKeymatInputs`. Sendable (Kij is immutable
/// `SecretBytes`, zeroed when the last reference goes).
public struct KeymatInputs: Sendable {
    /// The group Kij was agreed in.
    public var dhGroup: DHGroup
    /// The Diffie-Hellman shared secret Kij (the HKDF input key).
    public var kij: SecretBytes
    /// The puzzle's #I (from the R1) and #J (the Initiator's solution): the HKDF salt #I ‖ #J.
    public var puzzleI: [UInt8]
    public var puzzleJ: [UInt8]
    /// RHASH: the hash of the Responder's HIT suite (HKDF, and the HIP integrity key length).
    public var hash: HashAlgorithm
    /// The HIP cipher (its key length places the ESP keys).
    public var hipCipher: HIPCipherID
}

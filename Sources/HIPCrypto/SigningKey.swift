// SigningKey: the private half of a host identity and the HIP_SIGNATURE it makes (encodings in
// SignatureScheme.swift): RSA-PSS and ECDSA through libcrypto, Ed25519 through libsodium.
import COpenSSL

/// A host identity's private key. Immutable and Sendable: sign from any thread (each libcrypto signature
/// uses its own context). Private key material is wiped when the last reference goes away: libcrypto's by
/// EVP_PKEY_free, Ed25519's by SecretBytes.
enum SigningKey: Sendable {
    case rsaPSS(EVPKey)
    case ecdsa(EVPKey, ECCurve)
    case ed25519(Ed25519.PrivateKey)

    /// The signature over `data`, ready for the HIP_SIGNATURE Signature field.
    func sign(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        switch self {
        case .rsaPSS(let key):
            return try key.digestSign(data, digest: .sha256,
                                      padding: .pss(saltLength: ProtocolConstants.rsaPSSSaltLength))
        case .ecdsa(let key, let curve):
            let der = try key.digestSign(data, digest: .sha384, padding: .none)
            guard let raw = SignatureScheme.rawSignature(der: der, coordinateLength: curve.coordinateLength) else {
                throw LibCrypto.failure("ECDSA signature conversion")
            }
            return raw
        case .ed25519(let key):
            return try key.sign(data)
        }
    }
}

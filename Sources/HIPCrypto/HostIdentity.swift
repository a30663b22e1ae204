// HostIdentity: our private host identity key, its public HOST_ID form and HIT, and signing.
import COpenSSL
import HIPWire

/// A private host identity (ECDSA P-256/P-384, RSA-2048/3072 or Ed25519). Immutable and Sendable: sign from
/// any thread. RSA and ECDSA keys are libcrypto's, Ed25519 keys libsodium's (SigningKey); the private key is
/// wiped when the last reference goes away. Create with `generate` or `load`; persist with `save`.
public final class HostIdentity: Sendable {
    /// The key type.
    public let kind: HostIdentityKind
    /// The public identity (HOST_ID Host Identity field, HIT, verification).
    public let publicIdentity: PublicHostIdentity
    let key: SigningKey

    /// Wraps a private key of `kind`, deriving the HOST_ID field from it (and re-parsing that field, so our
    /// own encoding goes through the same checks as a peer's).
    init(kind: HostIdentityKind, key: SigningKey) throws(CryptoError) {
        guard let field = Self.hostIdentityField(of: key) else {
            throw LibCrypto.failure("public key export")
        }
        self.kind = kind
        self.key = key
        self.publicIdentity = try PublicHostIdentity(algorithm: kind.algorithm.rawValue, hostIdentity: field)
    }

    /// Our HIT.
    public var hit: HIT { publicIdentity.hit }

    /// Generates a new random identity of `kind` (RSA: public exponent 65537).
    public static func generate(_ kind: HostIdentityKind) throws(CryptoError) -> HostIdentity {
        let key: SigningKey
        switch kind {
        case .ecdsaP256: key = .ecdsa(try ECCurve.p256.generateKey(), .p256)
        case .ecdsaP384: key = .ecdsa(try ECCurve.p384.generateKey(), .p384)
        case .rsa2048, .rsa3072:
            let bits: Int32 = kind == .rsa2048 ? 2048 : 3072
            key = .rsaPSS(try EVPKey.generate(algorithm: "RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, bits) })
        case .ed25519:
            key = .ed25519(try Ed25519.PrivateKey.generate())
        }
        return try HostIdentity(kind: kind, key: key)
    }

    /// Our signature over `data` (the covered region), ready for the HIP_SIGNATURE Signature field.
    public func sign(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        try key.sign(data)
    }

    /// The HOST_ID Host Identity field of `key` (layouts in PublicHostIdentity.swift).
    private static func hostIdentityField(of key: SigningKey) -> [UInt8]? {
        switch key {
        case .ecdsa(let key, let curve):
            let curveID = curve == .p256 ? ProtocolConstants.ecdsaCurveP256 : ProtocolConstants.ecdsaCurveP384
            guard let point = curve.uncompressedPoint(of: key) else { return nil }
            return bigEndian(curveID) + point
        case .rsaPSS(let key):
            guard let exponent = key.bigNumber(OSSL_PKEY_PARAM_RSA_E),
                  let modulus = key.bigNumber(OSSL_PKEY_PARAM_RSA_N),
                  !exponent.isEmpty, exponent.count <= 0xFFFF
            else { return nil }
            let length = exponent.count <= 255
                ? [UInt8(exponent.count)]
                : [0] + bigEndian(UInt16(exponent.count))
            return length + exponent + modulus
        case .ed25519(let key):
            return bigEndian(ProtocolConstants.eddsaCurveEd25519) + key.publicKey.bytes
        }
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}

// HostIdentity: our private host identity key, its public HOST_ID form and HIT, and signing.
import COpenSSL
import HIPWire

/// A private host identity (ECDSA P-256/P-384, RSA-2048/3072 or Ed25519). Immutable and Sendable: sign from
/// any thread (each call uses its own libcrypto context). The libcrypto key is freed, and its private part
/// wiped by libcrypto, when the last reference goes away. Create with `generate` or `load`; persist with `save`.
public final class HostIdentity: Sendable {
    /// The key type.
    public let kind: HostIdentityKind
    /// The public identity (HOST_ID Host Identity field, HIT, verification).
    public let publicIdentity: PublicHostIdentity
    let key: EVPKey

    /// Wraps a private key of `kind`, deriving the HOST_ID field from it (and re-parsing that field, so our
    /// own encoding goes through the same checks as a peer's).
    init(kind: HostIdentityKind, key: EVPKey) throws(CryptoError) {
        guard let field = Self.hostIdentityField(kind: kind, key: key) else {
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
        let key: EVPKey
        switch kind {
        case .ecdsaP256: key = try ECCurve.p256.generateKey()
        case .ecdsaP384: key = try ECCurve.p384.generateKey()
        case .rsa2048, .rsa3072:
            let bits: Int32 = kind == .rsa2048 ? 2048 : 3072
            key = try EVPKey.generate(algorithm: "RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, bits) }
        case .ed25519:
            key = try EVPKey.generate(algorithm: "ED25519") { _ in 1 }
        }
        return try HostIdentity(kind: kind, key: key)
    }

    /// Our signature over `data` (the covered region), ready for the HIP_SIGNATURE Signature field.
    public func sign(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        try publicIdentity.scheme.sign(data, key: key)
    }

    /// The HOST_ID Host Identity field of `key` (layouts in PublicHostIdentity.swift).
    private static func hostIdentityField(kind: HostIdentityKind, key: EVPKey) -> [UInt8]? {
        switch kind {
        case .ecdsaP256, .ecdsaP384:
            let curve: ECCurve = kind == .ecdsaP256 ? .p256 : .p384
            let curveID = kind == .ecdsaP256 ? ProtocolConstants.ecdsaCurveP256 : ProtocolConstants.ecdsaCurveP384
            guard let point = curve.uncompressedPoint(of: key) else { return nil }
            return bigEndian(curveID) + point
        case .rsa2048, .rsa3072:
            guard let exponent = key.bigNumber(OSSL_PKEY_PARAM_RSA_E),
                  let modulus = key.bigNumber(OSSL_PKEY_PARAM_RSA_N),
                  !exponent.isEmpty, exponent.count <= 0xFFFF
            else { return nil }
            let length = exponent.count <= 255
                ? [UInt8(exponent.count)]
                : [0] + bigEndian(UInt16(exponent.count))
            return length + exponent + modulus
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: ProtocolConstants.ed25519PublicKeyLength)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1,
                  length == ProtocolConstants.ed25519PublicKeyLength
            else {
                _ = LibCrypto.drainErrors()
                return nil
            }
            return bigEndian(ProtocolConstants.eddsaCurveEd25519) + raw
        }
    }

    private static func bigEndian(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}

// HostIdentityKind: the key types synaptic generates and loads.

/// A kind of host identity key. The raw value is the CLI / config spelling. ECDSA P-256 is the default.
public enum HostIdentityKind: String, CaseIterable, Sendable {
    case ecdsaP256 = "ecdsa-p256"
    case ecdsaP384 = "ecdsa-p384"
    case rsa2048 = "rsa-2048"
    case rsa3072 = "rsa-3072"
    case ed25519 = "ed25519"

    /// The HI algorithm of this kind.
    public var algorithm: HIAlgorithm {
        switch self {
        case .ecdsaP256, .ecdsaP384: .ecdsa
        case .rsa2048, .rsa3072: .rsa
        case .ed25519: .eddsa
        }
    }

    /// The HIT suite of this kind's HITs.
    public var hitSuite: HITSuite { algorithm.hitSuite }
}

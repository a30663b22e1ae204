// HIAlgorithm: HOST_ID "Algorithm" values we implement (RFC 7401 §5.2.9, RFC 9374 §3.4.1).

/// An HI algorithm number as carried in HOST_ID and HIP_SIGNATURE(_2). DSA (3) and ECDSA_LOW (9) are not
/// supported. Pure value; use anywhere.
public enum HIAlgorithm: UInt16, Sendable {
    case rsa = 5
    case ecdsa = 7
    case eddsa = 13

    /// The HIT suite (and so RHASH) that identities of this algorithm use.
    public var hitSuite: HITSuite {
        switch self {
        case .rsa: .rsaSHA256
        case .ecdsa: .ecdsaSHA384
        case .eddsa: .eddsaCSHAKE128
        }
    }
}

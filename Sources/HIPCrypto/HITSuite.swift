// HITSuite: HIT suite IDs = ORCHID OGA IDs (RFC 7401 §5.2.10, RFC 9374 §3.4.2).

/// A HIT suite: fixes the ORCHID hash of a HIT and, for the Responder's suite, RHASH for the whole association
/// (puzzle, HIP_MAC, HKDF). Pure value; use anywhere.
///
/// Suite 5 (EdDSA/cSHAKE128, RFC 9374) is experimental here: its HIT uses cSHAKE128 as RFC 9374 §3.5.2.1
/// specifies, but RFC 9374's RHASH (cSHAKE128) and HMAC (KMAC128) are not used for the association;
/// synaptic uses SHA-256 (HMAC-SHA-256, HKDF-SHA-256, 32-byte #I/#J) instead, so a suite-5 association only
/// interoperates with another synaptic host.
public enum HITSuite: UInt8, Sendable, CaseIterable {
    case rsaSHA256 = 1
    case ecdsaSHA384 = 2
    case eddsaCSHAKE128 = 5

    /// RHASH of an association whose Responder has a HIT of this suite (see the type's note on suite 5).
    public var hash: HashAlgorithm {
        switch self {
        case .rsaSHA256: .sha256
        case .ecdsaSHA384: .sha384
        case .eddsaCSHAKE128: .sha256
        }
    }

    /// The 8-bit HIT_SUITE_LIST entry: the suite ID in the high nibble.
    public var listEncoding: UInt8 { rawValue << 4 }

    /// The suite of a HIT_SUITE_LIST entry; nil for an unknown suite or a non-zero low nibble.
    public init?(listEncoding: UInt8) {
        guard listEncoding & 0x0F == 0 else { return nil }
        self.init(rawValue: listEncoding >> 4)
    }
}

// DHGroup: the Diffie-Hellman groups of DIFFIE_HELLMAN / DH_GROUP_LIST (RFC 7401 §5.2.7, IANA Group IDs).
//
//   3  1536-bit MODP (RFC 3526 §2)   public value: big-endian, exactly 192 bytes (prime length)
//   4  3072-bit MODP (RFC 3526 §4)                                   384 bytes
//   11 2048-bit MODP (RFC 3526 §3)                                   256 bytes
//   7  NIST P-256 ECDH (RFC 5903)    public value: X | Y, 32 + 32 bytes, no 0x04 prefix (RFC 5903 §7)
//   8  NIST P-384 ECDH (RFC 5903)                  X | Y, 48 + 48 bytes
//
// The MODP primes are libcrypto's built-in RFC 3526 groups (generator 2); the tests compare them with the
// RFC 3526 formula.

/// A DH group. Pure value; use anywhere.
public enum DHGroup: UInt8, CaseIterable, Sendable {
    case modp1536 = 3
    case modp3072 = 4
    case nistP256 = 7
    case nistP384 = 8
    case modp2048 = 11

    /// The DIFFIE_HELLMAN Public Value Length in bytes.
    public var publicValueLength: Int {
        switch family {
        case .modp(_, let primeLength): primeLength
        case .ecdh(let curve): 2 * curve.coordinateLength
        }
    }

    enum Family {
        /// libcrypto's named group and the prime length in bytes.
        case modp(name: String, primeLength: Int)
        case ecdh(ECCurve)
    }

    var family: Family {
        switch self {
        case .modp1536: .modp(name: "modp_1536", primeLength: 192)
        case .modp2048: .modp(name: "modp_2048", primeLength: 256)
        case .modp3072: .modp(name: "modp_3072", primeLength: 384)
        case .nistP256: .ecdh(.p256)
        case .nistP384: .ecdh(.p384)
        }
    }
}

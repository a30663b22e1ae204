// PublicHostIdentity: a peer's (or our own) public host identity, parsed from a HOST_ID's Host Identity field.
//
// Host Identity field layouts (RFC 7401 §5.2.9):
//
//   RSA (5), RFC 3110 §2:   e_len (1 byte; or 0x00 + 2-byte length if > 255) | exponent e | modulus n
//                           (no leading zero octets in e or n)
//   ECDSA (7):              ECC Curve (16 bits: 1 = P-256, 2 = P-384) | 0x04 | X | Y
//                           (uncompressed point, each coordinate at field length; cutehip and OpenHIP agree)
//   EdDSA (13), RFC 9374:   EdDSA Curve (16 bits: 1 = Ed25519) | public key (32 bytes, RFC 8032)
//
// EdDSA layout [U6]: RFC 9374 Figure 2 draws "EdDSA Curve | NULL" on its first 32-bit row and the key on the
// next. We read "NULL" as the empty rest of the drawn row, not as a 16-bit field: the key follows the curve
// directly, exactly as in RFC 7401's ECDSA figure (which leaves that half row blank), and as the OpenHIP EdDSA
// fork encodes it. A 36-byte field with a 2-byte zero "NULL" is rejected as malformed.
import COpenSSL
import HIPWire

/// A public host identity: the HOST_ID Algorithm and Host Identity field, the public key built from them (a
/// libcrypto key for RSA and ECDSA, the raw 32 bytes libsodium verifies with for Ed25519) and the HIT they
/// hash to. Immutable and Sendable; verify from any thread.
public final class PublicHostIdentity: Sendable, Hashable {
    /// The HI algorithm.
    public let algorithm: HIAlgorithm
    /// The HOST_ID "Host Identity" field, exactly as carried on the wire (and hashed into the HIT).
    public let hostIdentity: [UInt8]
    /// The HIT (ORCHIDv2 of `hostIdentity` under `hitSuite`).
    public let hit: HIT
    let scheme: SignatureScheme

    /// Parses a HOST_ID's Algorithm and Host Identity field. Throws `.unsupportedAlgorithm` for algorithms or
    /// curves we do not implement and `.malformedHostIdentity` for a field that does not decode to a valid key.
    public init(algorithm: UInt16, hostIdentity: [UInt8]) throws(CryptoError) {
        guard let known = HIAlgorithm(rawValue: algorithm) else {
            throw .unsupportedAlgorithm("HI algorithm \(algorithm) (supported: RSA 5, ECDSA 7, EdDSA 13)")
        }
        let scheme: SignatureScheme
        switch known {
        case .rsa: scheme = try Self.parseRSA(hostIdentity)
        case .ecdsa: scheme = try Self.parseECDSA(hostIdentity)
        case .eddsa: scheme = try Self.parseEdDSA(hostIdentity)
        }
        self.algorithm = known
        self.hostIdentity = hostIdentity
        self.scheme = scheme
        self.hit = ORCHID.hit(suite: known.hitSuite, hostIdentity: hostIdentity)
    }

    /// The HIT suite of this identity.
    public var hitSuite: HITSuite { algorithm.hitSuite }

    public static func == (lhs: PublicHostIdentity, rhs: PublicHostIdentity) -> Bool {
        lhs.algorithm == rhs.algorithm && lhs.hostIdentity == rhs.hostIdentity
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(hostIdentity)
    }

    private static func parseRSA(_ field: [UInt8]) throws(CryptoError) -> SignatureScheme {
        guard let first = field.first else { throw .malformedHostIdentity("empty RSA host identity") }
        var offset = 1
        var exponentLength = Int(first)
        if first == 0 {
            guard field.count >= 3 else { throw .malformedHostIdentity("truncated RSA exponent length") }
            exponentLength = Int(field[1]) << 8 | Int(field[2])
            offset = 3
        }
        guard exponentLength >= 1, exponentLength <= Limits.rsaMaxExponentLength else {
            throw .malformedHostIdentity("RSA exponent of \(exponentLength) bytes")
        }
        guard field.count > offset + exponentLength else {
            throw .malformedHostIdentity("RSA host identity truncated (no modulus)")
        }
        let exponent = Array(field[offset..<offset + exponentLength])
        let modulus = Array(field[(offset + exponentLength)...])
        guard exponent[0] != 0, modulus[0] != 0 else {
            throw .malformedHostIdentity("RSA exponent or modulus has a leading zero octet (RFC 3110)")
        }
        guard exponent[exponent.count - 1] & 1 == 1, exponent.count > 1 || exponent[0] >= 3 else {
            throw .malformedHostIdentity("RSA public exponent must be odd and at least 3")
        }
        let bits = modulus.count * 8 - modulus[0].leadingZeroBitCount
        guard Limits.rsaPeerModulusBits.contains(bits), modulus[modulus.count - 1] & 1 == 1 else {
            throw .malformedHostIdentity("RSA modulus of \(bits) bits (accepted: \(Limits.rsaPeerModulusBits))")
        }
        guard let parameters = try? ParameterSet([
                  (OSSL_PKEY_PARAM_RSA_N, .bigEndianInteger(modulus)),
                  (OSSL_PKEY_PARAM_RSA_E, .bigEndianInteger(exponent)),
              ]),
              let key = EVPKey.fromData(algorithm: "RSA", selection: synaptic_EVP_PKEY_PUBLIC_KEY(),
                                        parameters: parameters)
        else { throw .malformedHostIdentity("RSA key rejected by libcrypto") }
        return .rsaPSS(key, modulusLength: modulus.count)
    }

    private static func parseECDSA(_ field: [UInt8]) throws(CryptoError) -> SignatureScheme {
        guard field.count >= 2 else { throw .malformedHostIdentity("ECDSA host identity shorter than its curve") }
        let curveID = UInt16(field[0]) << 8 | UInt16(field[1])
        let curve: ECCurve
        switch curveID {
        case ProtocolConstants.ecdsaCurveP256: curve = .p256
        case ProtocolConstants.ecdsaCurveP384: curve = .p384
        default: throw .unsupportedAlgorithm("ECDSA curve \(curveID) (supported: 1 P-256, 2 P-384)")
        }
        let point = field[2...]
        guard point.count == 1 + 2 * curve.coordinateLength, point.first == 0x04 else {
            throw .malformedHostIdentity(
                "ECDSA \(curve.groupName) public key must be 0x04 | X | Y (\(1 + 2 * curve.coordinateLength) bytes)")
        }
        guard let key = point.withUnsafeBytes({ curve.publicKey(uncompressedPoint: $0) }) else {
            throw .malformedHostIdentity("ECDSA public key is not a point on \(curve.groupName)")
        }
        return .ecdsa(key, curve)
    }

    private static func parseEdDSA(_ field: [UInt8]) throws(CryptoError) -> SignatureScheme {
        guard field.count >= 2 else { throw .malformedHostIdentity("EdDSA host identity shorter than its curve") }
        let curveID = UInt16(field[0]) << 8 | UInt16(field[1])
        guard curveID == ProtocolConstants.eddsaCurveEd25519 else {
            throw .unsupportedAlgorithm("EdDSA curve \(curveID) (supported: 1 Ed25519)")
        }
        guard let key = Ed25519.PublicKey(field[2...]) else {
            throw .malformedHostIdentity("Ed25519 host identity must be curve (2 bytes) | key (32 bytes)")
        }
        return .ed25519(key)
    }
}

// ECCurve: the NIST prime curves used for ECDSA host identities (RFC 7401 §5.2.9) and ECDH (RFC 5903).
import COpenSSL

/// A NIST curve with cofactor 1, as RFC 7401 requires for ECC HIs and ECDH.
enum ECCurve: Sendable {
    case p256, p384

    /// The group name libcrypto accepts (OSSL_PKEY_PARAM_GROUP_NAME).
    var groupName: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        }
    }

    /// The field (and coordinate) length in bytes.
    var coordinateLength: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        }
    }

    /// The curve of a group name libcrypto reports for a loaded key (short or NIST name).
    init?(groupName: String) {
        switch groupName {
        case "P-256", "prime256v1", "secp256r1": self = .p256
        case "P-384", "secp384r1": self = .p384
        default: return nil
        }
    }

    /// A public key from an uncompressed SEC1 point `0x04 ‖ X ‖ Y`; nil if the length is wrong or the point is
    /// not on the curve (libcrypto's point decoder and EVP_PKEY_public_check_quick: not infinity, coordinates
    /// in range, on the curve). The full check's extra multiplication by the group order is skipped: these
    /// curves have cofactor 1, so every point on the curve is in the prime-order group.
    func publicKey(uncompressedPoint point: UnsafeRawBufferPointer) -> EVPKey? {
        guard point.count == 1 + 2 * coordinateLength, point.first == 0x04,
              let parameters = try? ParameterSet([
                  (OSSL_PKEY_PARAM_GROUP_NAME, .utf8(groupName)),
                  (OSSL_PKEY_PARAM_PUB_KEY, .octets(point)),
              ]),
              let key = EVPKey.fromData(algorithm: "EC", selection: synaptic_EVP_PKEY_PUBLIC_KEY(),
                                        parameters: parameters),
              key.quickPublicKeyCheckPasses()
        else { return nil }
        return key
    }

    /// The uncompressed point `0x04 ‖ X ‖ Y` of `key` (whatever point format the key was loaded with).
    func uncompressedPoint(of key: EVPKey) -> [UInt8]? {
        guard let x = key.bigNumber(OSSL_PKEY_PARAM_EC_PUB_X, paddedTo: coordinateLength),
              let y = key.bigNumber(OSSL_PKEY_PARAM_EC_PUB_Y, paddedTo: coordinateLength)
        else { return nil }
        return [0x04] + x + y
    }

    /// Generates a key pair on this curve.
    func generateKey() throws(CryptoError) -> EVPKey {
        try EVPKey.generate(algorithm: "EC") { context in
            EVP_PKEY_CTX_set_group_name(context, groupName)
        }
    }
}

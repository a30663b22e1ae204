// DHKeyPair: an ephemeral DH/ECDH key pair and the shared secret Kij (RFC 7401 §6.5, RFC 5903 §7).
//
// Kij encoding (the HKDF input keying material) [U2]:
//   ECDH (7, 8): the x-coordinate of the shared point at full field length (32 / 48 bytes), RFC 5903 §7.
//   MODP (3, 4, 11): g^xy mod p in *minimal* big-endian form, leading zero bytes stripped. RFC 7401 does
//   not say; this matches HIPL (DH_compute_key), the OpenHIP fork (EVP_PKEY_derive without padding) and
//   cutehip (int_to_bytes), the three implementations a peer is likely to run. (IKEv2 would pad to the
//   prime length; about 1 exchange in 256 would differ.)
//
// Peer public values are validated before use: MODP exactly the prime length and 1 < y < p-1 (then
// libcrypto's full public-key check, which also tests the subgroup); ECDH exactly 2 × field length and a
// point on the curve. Any failure is `.invalidPublicValue`.
import COpenSSL

/// An ephemeral key pair of one DH group. Immutable and Sendable; `sharedSecret` may be called from any
/// thread. The private key is freed and wiped by libcrypto in deinit.
public final class DHKeyPair: Sendable {
    /// The group.
    public let group: DHGroup
    /// Our DIFFIE_HELLMAN public value (MODP: big-endian at prime length; ECDH: X | Y, no 0x04).
    public let publicValue: [UInt8]
    private let key: EVPKey
    /// MODP only: the prime p, big-endian at its full length (for the range check of peer values).
    let prime: [UInt8]

    /// Generates a fresh key pair (randomness from libcrypto's DRBG).
    public init(group: DHGroup) throws(CryptoError) {
        self.group = group
        switch group.family {
        case .modp(let name, let primeLength):
            key = try EVPKey.generate(algorithm: "DH") { EVP_PKEY_CTX_set_group_name($0, name) }
            guard let publicValue = key.bigNumber(OSSL_PKEY_PARAM_PUB_KEY, paddedTo: primeLength),
                  let prime = key.bigNumber(OSSL_PKEY_PARAM_FFC_P, paddedTo: primeLength)
            else { throw LibCrypto.failure("DH public value export") }
            self.publicValue = publicValue
            self.prime = prime
        case .ecdh(let curve):
            key = try curve.generateKey()
            guard let point = curve.uncompressedPoint(of: key) else {
                throw LibCrypto.failure("ECDH public value export")
            }
            self.publicValue = Array(point.dropFirst())
            self.prime = []
        }
    }

    /// Kij with the peer's DIFFIE_HELLMAN public value (encoding in the file comment). Throws
    /// `.invalidPublicValue` for a value of the wrong length, out of range or off the curve.
    public func sharedSecret(peerPublicValue: [UInt8]) throws(CryptoError) -> SecretBytes {
        guard peerPublicValue.count == group.publicValueLength else {
            throw .invalidPublicValue(group: group,
                                      "\(peerPublicValue.count) bytes, expected \(group.publicValueLength)")
        }
        let peer: EVPKey
        switch group.family {
        case .modp(let name, _):
            guard Self.isInRange(peerPublicValue, prime: prime) else {
                throw .invalidPublicValue(group: group, "not in the range 1 < y < p-1")
            }
            guard let parameters = try? ParameterSet([
                      (OSSL_PKEY_PARAM_GROUP_NAME, .utf8(name)),
                      (OSSL_PKEY_PARAM_PUB_KEY, .bigEndianInteger(peerPublicValue)),
                  ]),
                  let key = EVPKey.fromData(algorithm: "DH", selection: synaptic_EVP_PKEY_PUBLIC_KEY(),
                                            parameters: parameters)
            else { throw .invalidPublicValue(group: group, "rejected by libcrypto") }
            peer = key
        case .ecdh(let curve):
            let point = [0x04] + peerPublicValue
            guard let key = point.withUnsafeBytes({ curve.publicKey(uncompressedPoint: $0) }) else {
                throw .invalidPublicValue(group: group, "not a point on \(curve.groupName)")
            }
            peer = key
        }
        return try derive(with: peer)
    }

    private func derive(with peer: EVPKey) throws(CryptoError) -> SecretBytes {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            throw LibCrypto.failure("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_derive_init(context) == 1 else { throw LibCrypto.failure("EVP_PKEY_derive_init") }
        if case .modp = group.family {
            guard EVP_PKEY_CTX_set_dh_pad(context, 0) == 1 else { throw LibCrypto.failure("EVP_PKEY_CTX_set_dh_pad") }
        }
        // MODP: libcrypto's full public-key check (range and subgroup). ECDH: the point was already checked
        // when it was decoded (ECCurve.publicKey), so it is not checked a second time.
        let validate: Int32 = if case .modp = group.family { 1 } else { 0 }
        guard EVP_PKEY_derive_set_peer_ex(context, peer.pointer, validate) == 1 else {
            _ = LibCrypto.drainErrors()
            throw .invalidPublicValue(group: group, "failed libcrypto's public key check")
        }
        var capacity = 0
        guard EVP_PKEY_derive(context, nil, &capacity) == 1, capacity > 0 else {
            throw LibCrypto.failure("EVP_PKEY_derive (size)")
        }
        let secret = SecretBytes(capacity: capacity, failable: { buffer in
            var length = capacity
            guard EVP_PKEY_derive(context, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &length) == 1
            else { return nil }
            return length
        })
        guard let secret else { throw LibCrypto.failure("EVP_PKEY_derive") }
        return secret
    }

    /// 1 < y < p-1 for equal-length big-endian `value` and `prime`.
    static func isInRange(_ value: [UInt8], prime: [UInt8]) -> Bool {
        guard value.count == prime.count, let last = prime.last, last >= 2 else { return false }
        var pMinusOne = prime
        pMinusOne[pMinusOne.count - 1] = last - 1                 // p is odd: no borrow
        let isAboveOne = value.dropLast().contains { $0 != 0 } || value[value.count - 1] > 1
        return isAboveOne && value.lexicographicallyPrecedes(pMinusOne)
    }
}

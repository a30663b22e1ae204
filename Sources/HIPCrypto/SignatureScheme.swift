// SignatureScheme: HIP_SIGNATURE / HIP_SIGNATURE_2 signature encodings (RFC 7401 §5.2.14, RFC 9374).
//
//   RSA:    RSASSA-PSS (RFC 8017) with SHA-256, MGF1-SHA-256, salt 32 bytes; signature = modulus length.
//           Verification accepts any salt length (RSA_PSS_SALTLEN_AUTO): RFC 7401 does not fix the salt,
//           and PSS security does not depend on the verifier insisting on one.
//   ECDSA:  r | s, each left-padded to the field length (RFC 6090/4754). Hash: SHA-384 for P-256 and P-384
//           alike [U4]: ECDSA HIs have HIT suite 2, whose hash is SHA-384, and both cutehip and the OpenHIP
//           fork hash ECDSA signatures with SHA-384 on every curve.
//   Ed25519: PureEdDSA over the message (RFC 8032 §5.1.6), 64 bytes.
import COpenSSL

enum SignatureScheme: Sendable {
    case rsaPSS(modulusLength: Int)
    case ecdsa(ECCurve)
    case ed25519

    /// The HIP_SIGNATURE length in bytes.
    var signatureLength: Int {
        switch self {
        case .rsaPSS(let modulusLength): modulusLength
        case .ecdsa(let curve): 2 * curve.coordinateLength
        case .ed25519: ProtocolConstants.ed25519SignatureLength
        }
    }

    /// Whether `signature` is this scheme's signature by `key` over `data`. Never throws: every failure,
    /// including a wrong length or an undecodable signature, is "does not verify".
    func verify(signature: [UInt8], over data: [UInt8], key: EVPKey) -> Bool {
        guard signature.count == signatureLength else { return false }
        let encoded: [UInt8]
        if case .ecdsa(let curve) = self {
            guard let der = Self.derSignature(raw: signature, coordinateLength: curve.coordinateLength) else {
                return false
            }
            encoded = der
        } else {
            encoded = signature
        }
        let verified = withContext(key: key, signing: false) { context in
            encoded.withUnsafeBufferPointer { sig in
                data.withUnsafeBytes { message in
                    EVP_DigestVerify(context, sig.baseAddress, sig.count,
                                     message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
                }
            }
        }
        if verified != true { _ = LibCrypto.drainErrors() }
        return verified == true
    }

    /// This scheme's signature by private `key` over `data`.
    func sign(_ data: [UInt8], key: EVPKey) throws(CryptoError) -> [UInt8] {
        let produced: [UInt8]?? = withContext(key: key, signing: true) { context -> [UInt8]? in
            data.withUnsafeBytes { message -> [UInt8]? in
                let input = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var length = 0
                guard EVP_DigestSign(context, nil, &length, input, message.count) == 1 else { return nil }
                var output = [UInt8](repeating: 0, count: length)
                guard EVP_DigestSign(context, &output, &length, input, message.count) == 1 else { return nil }
                return Array(output.prefix(length))
            }
        }
        guard let signature = produced ?? nil else { throw LibCrypto.failure("signing") }
        guard case .ecdsa(let curve) = self else { return signature }
        guard let raw = Self.rawSignature(der: signature, coordinateLength: curve.coordinateLength) else {
            throw LibCrypto.failure("ECDSA signature conversion")
        }
        return raw
    }

    /// Runs `body` with an EVP_MD_CTX initialised for signing or verifying with `key` under this scheme;
    /// nil if the context cannot be set up.
    private func withContext<R>(key: EVPKey, signing: Bool, _ body: (OpaquePointer) -> R) -> R? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        let digest: OpaquePointer?
        switch self {
        case .rsaPSS: digest = HashAlgorithm.sha256.evpMD
        case .ecdsa: digest = HashAlgorithm.sha384.evpMD
        case .ed25519: digest = nil
        }
        var keyContext: OpaquePointer?
        let initialised = signing
            ? EVP_DigestSignInit(context, &keyContext, digest, nil, key.pointer)
            : EVP_DigestVerifyInit(context, &keyContext, digest, nil, key.pointer)
        guard initialised == 1 else { return nil }
        if case .rsaPSS = self {
            guard let keyContext,
                  EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, HashAlgorithm.sha256.evpMD) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(
                      keyContext, signing ? ProtocolConstants.rsaPSSSaltLength : RSA_PSS_SALTLEN_AUTO) == 1
            else { return nil }
        }
        return body(context)
    }

    /// DER ECDSA-Sig-Value from r | s; nil if the halves do not fit.
    static func derSignature(raw: [UInt8], coordinateLength: Int) -> [UInt8]? {
        guard raw.count == 2 * coordinateLength, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = BN_bin2bn(raw, Int32(coordinateLength), nil) else { return nil }
        guard let s = raw.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + coordinateLength,
                                                              Int32(coordinateLength), nil) })
        else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// r | s (each padded to `coordinateLength`) from a DER ECDSA-Sig-Value; nil if it does not decode.
    static func rawSignature(der: [UInt8], coordinateLength: Int) -> [UInt8]? {
        let decoded = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_ECDSA_SIG(nil, &cursor, buffer.count)
        }
        guard let decoded else { return nil }
        defer { ECDSA_SIG_free(decoded) }
        guard let r = ECDSA_SIG_get0_r(decoded), let s = ECDSA_SIG_get0_s(decoded) else { return nil }
        var raw = [UInt8](repeating: 0, count: 2 * coordinateLength)
        let ok = raw.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(r, buffer.baseAddress, Int32(coordinateLength)) == Int32(coordinateLength)
                && BN_bn2binpad(s, buffer.baseAddress! + coordinateLength,
                                Int32(coordinateLength)) == Int32(coordinateLength)
        }
        return ok ? raw : nil
    }
}

// EVPKey+Signature: EVP_DigestSign / EVP_DigestVerify for the libcrypto host identities (RSA-PSS, ECDSA;
// their HIP encodings are in SignatureScheme.swift).
import COpenSSL

extension EVPKey {
    /// The padding of an RSA signature; `.none` for ECDSA.
    enum SignaturePadding {
        case none
        /// RSASSA-PSS with MGF1 over the signature digest; `saltLength` as EVP_PKEY_CTX_set_rsa_pss_saltlen
        /// takes it (a length, or RSA_PSS_SALTLEN_AUTO when verifying).
        case pss(saltLength: Int32)
    }

    /// The DER-level signature (ECDSA: a DER ECDSA-Sig-Value) by this private key over `data`.
    func digestSign(_ data: [UInt8], digest: HashAlgorithm, padding: SignaturePadding) throws(CryptoError) -> [UInt8] {
        let produced: [UInt8]?? = withContext(digest: digest, padding: padding, signing: true) { context -> [UInt8]? in
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
        return signature
    }

    /// Whether `signature` (DER-level, as `digestSign` makes it) is this key's over `data`. Never throws.
    func digestVerify(_ signature: [UInt8], over data: [UInt8], digest: HashAlgorithm,
                      padding: SignaturePadding) -> Bool {
        let verified = withContext(digest: digest, padding: padding, signing: false) { context in
            signature.withUnsafeBufferPointer { sig in
                data.withUnsafeBytes { message in
                    EVP_DigestVerify(context, sig.baseAddress, sig.count,
                                     message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
                }
            }
        }
        if verified != true { _ = LibCrypto.drainErrors() }
        return verified == true
    }

    /// Runs `body` with an EVP_MD_CTX initialised for signing or verifying with this key; nil if the context
    /// cannot be set up.
    private func withContext<R>(digest: HashAlgorithm, padding: SignaturePadding, signing: Bool,
                                _ body: (OpaquePointer) -> R) -> R? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        let initialised = signing
            ? EVP_DigestSignInit(context, &keyContext, digest.evpMD, nil, pointer)
            : EVP_DigestVerifyInit(context, &keyContext, digest.evpMD, nil, pointer)
        guard initialised == 1 else { return nil }
        if case .pss(let saltLength) = padding {
            guard let keyContext,
                  EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1,
                  EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.evpMD) == 1,
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, saltLength) == 1
            else { return nil }
        }
        return body(context)
    }
}

// Constants of HIPCrypto: protocol constants from the RFCs, then implementation limits.

/// Protocol constants (values fixed by RFCs; the section is given with each).
enum ProtocolConstants {
    /// ORCHIDv2 prefix 2001:20::/28 (RFC 7343 §6): the first 28 bits of every HIT.
    static let orchidPrefix: [UInt8] = [0x20, 0x01, 0x00, 0x20]
    /// ORCHID Context ID of HIP (RFC 7401 §3, RFC 7343 §2): F0EF F02F BFF4 3D0F E793 0C3C 6E61 74EA.
    static let orchidContextID: [UInt8] = [
        0xF0, 0xEF, 0xF0, 0x2F, 0xBF, 0xF4, 0x3D, 0x0F, 0xE7, 0x93, 0x0C, 0x3C, 0x6E, 0x61, 0x74, 0xEA,
    ]
    /// The hash bits an ORCHID keeps (Encode_96, RFC 7343 §2).
    static let orchidHashBits = 96

    /// ECC Curve field of an ECDSA HI (RFC 7401 §5.2.9): NIST P-256 and P-384.
    static let ecdsaCurveP256: UInt16 = 1
    static let ecdsaCurveP384: UInt16 = 2
    /// EdDSA Curve field of an EdDSA HI (RFC 9374 §3.4.1.1, Table 5).
    static let eddsaCurveEd25519: UInt16 = 1
    /// Ed25519 public key and signature lengths (RFC 8032 §5.1.5–6).
    static let ed25519PublicKeyLength = 32
    static let ed25519SignatureLength = 64

    /// RSASSA-PSS salt length for RSA HIs: 32 = hLen of SHA-256 (the length every captured HIPv2 signature
    /// uses, README of the vectors §4.7; RFC 7401 §5.2.14 only says "PSS").
    static let rsaPSSSaltLength: Int32 = 32

    /// LSI prefix 1.0.0.0/8 (HIPL and OpenHIP convention; digest §8).
    static let lsiPrefix: UInt32 = 0x0100_0000

    /// AES block length (and the CBC IV length of HIP_CIPHER, RFC 7401 §5.2.18).
    static let aesBlockLength = 16
}

/// Implementation limits (our choices, not protocol facts).
enum Limits {
    /// RSA modulus sizes accepted in a peer's HOST_ID. 1024 is accepted only so that existing peers (and the
    /// cutehip capture) can be verified; our own keys are 2048 or 3072 bits. The upper bound caps the cost a
    /// peer can impose on verification.
    static let rsaPeerModulusBits = 1024...8192
    /// The longest RSA public exponent accepted in a HOST_ID, in bytes.
    static let rsaMaxExponentLength = 8
    /// A key file larger than this is not a key file (a 3072-bit RSA PKCS#8 PEM is about 2.5 KB).
    static let keyFileMaxBytes = 64 * 1024
    /// The hardest puzzle `PuzzleSolver.solve` attempts (2^28 hashes is several minutes of CPU).
    static let puzzleMaxDifficulty: UInt8 = 28
}

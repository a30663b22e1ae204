// ORCHID: HIT generation (ORCHIDv2, RFC 7343 §2; HIPv2 use RFC 7401 §3; suite 5 RFC 9374 §3.5.2.1).
//
//   HIT = Prefix (28 bits, 2001:20::/28) | OGA ID (4 bits = HIT suite) | Hash96 (96 bits)
//   suites 1, 2:  Hash96 = the middle 96 bits of SHA-256 / SHA-384 (Context ID | HI)
//                 (bytes 10..<22 of SHA-256, bytes 18..<30 of SHA-384)
//   suite 5:      Hash96 = cSHAKE128(Context ID | HI, 96, N = "", S = "")  — RFC 9374 §3.5.2.1 (see below)
//
// HI is the HOST_ID "Host Identity" field (for ECDSA/EdDSA it includes the 16-bit curve field).
//
// Suite 5 [U6]: RFC 9374 gives two formulas. §3.5.2 (the general/DET construction) calls
// cSHAKE128(Input, L, "", Context ID) with the Context ID as customization string S and the ORCHID header in
// the input; §3.5.2.1, the section specific to HIPv2 HITs (prefix 2001:20::/28), says the header is not hashed
// and uses "Hash[L](Context ID | Input)" where for variable-output hashes Hash[L] is the L-bit output. We
// implement §3.5.2.1 literally: cSHAKE128 over Context ID | HI with empty N and S, which NIST SP 800-185 §3.3
// defines to equal SHAKE128(Context ID | HI, 96), computed with libcrypto's SHAKE128.
import COpenSSL
import HIPWire

enum ORCHID {
    /// The HIT of host identity field `hostIdentity` under `suite`.
    static func hit(suite: HITSuite, hostIdentity: [UInt8]) -> HIT {
        let input = ProtocolConstants.orchidContextID + hostIdentity
        let hash96: ArraySlice<UInt8>
        switch suite {
        case .rsaSHA256, .ecdsaSHA384:
            let digest = suite.hash.digest(input)
            let skip = (digest.count * 8 - ProtocolConstants.orchidHashBits) / 16   // bytes before the middle
            hash96 = digest[skip..<skip + ProtocolConstants.orchidHashBits / 8]
        case .eddsaCSHAKE128:
            hash96 = shake128(input, outputLength: ProtocolConstants.orchidHashBits / 8)[...]
        }
        var bytes = ProtocolConstants.orchidPrefix
        bytes[3] |= suite.rawValue
        bytes += hash96
        guard let hit = HIT(bytes: bytes) else { preconditionFailure("ORCHID is always 16 bytes") }
        return hit
    }

    /// SHAKE128(`input`) truncated to `outputLength` bytes (FIPS 202), via libcrypto's XOF interface.
    static func shake128(_ input: [UInt8], outputLength: Int) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { preconditionFailure("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: outputLength)
        let ok = EVP_DigestInit_ex(context, EVP_shake128(), nil) == 1
            && input.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) } == 1
            && EVP_DigestFinalXOF(context, &output, outputLength) == 1
        precondition(ok, "SHAKE128 failed: \(LibCrypto.drainErrors())")
        return output
    }
}

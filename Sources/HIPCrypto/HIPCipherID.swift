// HIPCipherID: HIP_CIPHER suite IDs (RFC 7401 §5.2.8).

/// A HIP_CIPHER ID: the cipher of the ENCRYPTED parameter. NULL-ENCRYPT is for testing only (RFC 7401 says
/// it MUST NOT be offered unless configured). Pure value; use anywhere.
public enum HIPCipherID: UInt16, Sendable, CaseIterable {
    case null = 1
    case aes128CBC = 2
    case aes256CBC = 4

    /// Key length in bytes (the HIP-gl/HIP-lg encryption key drawn from KEYMAT): 0, 16, 32.
    public var keyLength: Int {
        switch self {
        case .null: 0
        case .aes128CBC: 16
        case .aes256CBC: 32
        }
    }

    /// IV length in bytes at the start of the ENCRYPTED body: 0 for NULL, 16 for AES-CBC.
    public var ivLength: Int {
        switch self {
        case .null: 0
        case .aes128CBC, .aes256CBC: ProtocolConstants.aesBlockLength
        }
    }
}

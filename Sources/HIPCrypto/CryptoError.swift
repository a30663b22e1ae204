// CryptoError: every failure HIPCrypto reports, as a public struct over a private reason.

/// A failure in HIPCrypto. Compare `code` to the static codes (`error.code == .keyFileTooOpen`); the
/// `description` is a complete human sentence (it names the file and mode for key-file errors) suitable
/// for a log line or a CLI error. Values are immutable and Sendable.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure, without details. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The key file does not exist.
        public static let keyFileMissing = Code(name: "keyFileMissing")
        /// The key file exists but cannot be opened or read (permissions, not a regular file, I/O error).
        public static let keyFileUnreadable = Code(name: "keyFileUnreadable")
        /// The key file grants group or other users any permission (must be 0600 or stricter).
        public static let keyFileTooOpen = Code(name: "keyFileTooOpen")
        /// `load` refused a key file owned by another user than this process's effective user.
        public static let keyFileNotOwned = Code(name: "keyFileNotOwned")
        /// `save` refused to overwrite an existing file.
        public static let keyFileExists = Code(name: "keyFileExists")
        /// `save` could not create or write the file.
        public static let keyFileWriteFailed = Code(name: "keyFileWriteFailed")
        /// The key file is not a PEM private key (or is encrypted, truncated or too large).
        public static let keyFileMalformed = Code(name: "keyFileMalformed")
        /// A well-formed private key of a type or size synaptic does not use (e.g. DSA, RSA-1024, Ed448).
        public static let unsupportedKeyType = Code(name: "unsupportedKeyType")
        /// A HOST_ID names an HI algorithm or curve we do not implement.
        public static let unsupportedAlgorithm = Code(name: "unsupportedAlgorithm")
        /// A HOST_ID's Host Identity field is malformed for its algorithm.
        public static let malformedHostIdentity = Code(name: "malformedHostIdentity")
        /// A peer's Diffie-Hellman public value is out of range, off the curve or of the wrong length.
        public static let invalidPublicValue = Code(name: "invalidPublicValue")
        /// A key given to a cipher or MAC has the wrong length.
        public static let invalidKeyLength = Code(name: "invalidKeyLength")
        /// An ENCRYPTED body is too short or not a whole number of cipher blocks.
        public static let malformedCiphertext = Code(name: "malformedCiphertext")
        /// The PKCS#5 padding of a decrypted ENCRYPTED body is wrong (wrong key or tampering).
        public static let badPadding = Code(name: "badPadding")
        /// More KEYMAT was requested than HKDF can produce (255 × hash length) or a KEYMAT index allows.
        public static let keymatExhausted = Code(name: "keymatExhausted")
        /// libcrypto or libsodium failed where it should not (allocation, internal error); the description
        /// names the library and has its message.
        public static let library = Code(name: "library")
    }

    private enum Reason: Hashable, Sendable {
        case keyFileMissing(path: String)
        case keyFileUnreadable(path: String, detail: String)
        case keyFileTooOpen(path: String, mode: UInt32)
        case keyFileNotOwned(path: String, owner: UInt32, user: UInt32)
        case keyFileExists(path: String)
        case keyFileWriteFailed(path: String, detail: String)
        case keyFileMalformed(path: String, detail: String)
        case unsupportedKeyType(path: String, detail: String)
        case unsupportedAlgorithm(detail: String)
        case malformedHostIdentity(detail: String)
        case invalidPublicValue(group: UInt8, detail: String)
        case invalidKeyLength(what: String, expected: Int, actual: Int)
        case malformedCiphertext(detail: String)
        case badPadding
        case keymatExhausted(requested: Int, available: Int)
        case library(operation: String, detail: String)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// The kind of failure.
    public var code: Code {
        switch reason {
        case .keyFileMissing: .keyFileMissing
        case .keyFileUnreadable: .keyFileUnreadable
        case .keyFileTooOpen: .keyFileTooOpen
        case .keyFileNotOwned: .keyFileNotOwned
        case .keyFileExists: .keyFileExists
        case .keyFileWriteFailed: .keyFileWriteFailed
        case .keyFileMalformed: .keyFileMalformed
        case .unsupportedKeyType: .unsupportedKeyType
        case .unsupportedAlgorithm: .unsupportedAlgorithm
        case .malformedHostIdentity: .malformedHostIdentity
        case .invalidPublicValue: .invalidPublicValue
        case .invalidKeyLength: .invalidKeyLength
        case .malformedCiphertext: .malformedCiphertext
        case .badPadding: .badPadding
        case .keymatExhausted: .keymatExhausted
        case .library: .library
        }
    }

    public var description: String {
        switch reason {
        case .keyFileMissing(let path):
            "key file \(path) does not exist"
        case .keyFileUnreadable(let path, let detail):
            "key file \(path) cannot be read: \(detail)"
        case .keyFileTooOpen(let path, let mode):
            "key file \(path) has permissions \(Self.octal(mode)), which let group or other users access it; "
                + "it must be 0600 or stricter (chmod 600 \(path))"
        case .keyFileNotOwned(let path, let owner, let user):
            "refusing key file \(path): owned by uid \(owner), not by this process's effective uid \(user) "
                + "(chown it to the user synaptic runs as)"
        case .keyFileExists(let path):
            "key file \(path) already exists; refusing to overwrite it"
        case .keyFileWriteFailed(let path, let detail):
            "key file \(path) cannot be written: \(detail)"
        case .keyFileMalformed(let path, let detail):
            "key file \(path) is not a PEM private key: \(detail)"
        case .unsupportedKeyType(let path, let detail):
            "key file \(path) holds an unsupported key (\(detail)); "
                + "use ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072 or ed25519"
        case .unsupportedAlgorithm(let detail):
            "unsupported host identity: \(detail)"
        case .malformedHostIdentity(let detail):
            "malformed host identity: \(detail)"
        case .invalidPublicValue(let group, let detail):
            "invalid Diffie-Hellman public value for group \(group): \(detail)"
        case .invalidKeyLength(let what, let expected, let actual):
            "\(what) key is \(actual) bytes, expected \(expected)"
        case .malformedCiphertext(let detail):
            "malformed ciphertext: \(detail)"
        case .badPadding:
            "decryption failed: bad padding"
        case .keymatExhausted(let requested, let available):
            "KEYMAT exhausted: \(requested) bytes requested, \(available) available"
        case .library(let operation, let detail):
            "\(operation) failed: \(detail)"
        }
    }

    private static func octal(_ mode: UInt32) -> String {
        let text = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    static func keyFileMissing(path: String) -> CryptoError { .init(.keyFileMissing(path: path)) }
    static func keyFileUnreadable(path: String, detail: String) -> CryptoError {
        .init(.keyFileUnreadable(path: path, detail: detail))
    }
    static func keyFileTooOpen(path: String, mode: UInt32) -> CryptoError {
        .init(.keyFileTooOpen(path: path, mode: mode))
    }
    static func keyFileNotOwned(path: String, owner: UInt32, user: UInt32) -> CryptoError {
        .init(.keyFileNotOwned(path: path, owner: owner, user: user))
    }
    static func keyFileExists(path: String) -> CryptoError { .init(.keyFileExists(path: path)) }
    static func keyFileWriteFailed(path: String, detail: String) -> CryptoError {
        .init(.keyFileWriteFailed(path: path, detail: detail))
    }
    static func keyFileMalformed(path: String, detail: String) -> CryptoError {
        .init(.keyFileMalformed(path: path, detail: detail))
    }
    static func unsupportedKeyType(path: String, detail: String) -> CryptoError {
        .init(.unsupportedKeyType(path: path, detail: detail))
    }
    static func unsupportedAlgorithm(_ detail: String) -> CryptoError { .init(.unsupportedAlgorithm(detail: detail)) }
    static func malformedHostIdentity(_ detail: String) -> CryptoError {
        .init(.malformedHostIdentity(detail: detail))
    }
    static func invalidPublicValue(group: DHGroup, _ detail: String) -> CryptoError {
        .init(.invalidPublicValue(group: group.rawValue, detail: detail))
    }
    static func invalidKeyLength(_ what: String, expected: Int, actual: Int) -> CryptoError {
        .init(.invalidKeyLength(what: what, expected: expected, actual: actual))
    }
    static func malformedCiphertext(_ detail: String) -> CryptoError { .init(.malformedCiphertext(detail: detail)) }
    static let badPadding = CryptoError(.badPadding)
    static func keymatExhausted(requested: Int, available: Int) -> CryptoError {
        .init(.keymatExhausted(requested: requested, available: available))
    }
    static func library(_ operation: String, detail: String) -> CryptoError {
        .init(.library(operation: operation, detail: detail))
    }
}

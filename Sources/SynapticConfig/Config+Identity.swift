// Config.Identity: [identity] — the host's private key file and the algorithm for a new one.

extension Config {
    /// Host identity algorithms, named as `HIPCrypto.HostIdentityKind` raw values (the node maps by raw value).
    public enum KeyAlgorithm: String, CaseIterable, Hashable, Sendable {
        case ecdsaP256 = "ecdsa-p256", ecdsaP384 = "ecdsa-p384", rsa2048 = "rsa-2048", rsa3072 = "rsa-3072"
        case ed25519 = "ed25519"
    }

    /// `[identity]`. A value type; use it anywhere.
    public struct Identity: Hashable, Sendable {
        /// `key`: the PEM private key. The node creates it (mode 0600) with `algorithm` when it is missing.
        /// A relative path in a loaded file is taken relative to the file's directory.
        public let keyPath: String
        /// `algorithm`: used only when the key file is created.
        public let algorithm: KeyAlgorithm

        init(_ reader: inout TableReader, baseDirectory: String?) throws(ConfigError) {
            keyPath = try reader.value("key")?.filePath(relativeTo: baseDirectory) ?? ConfigDefaults.identityKey
            algorithm = try reader.value("algorithm")?.choice(KeyAlgorithm.self) ?? ConfigDefaults.identityAlgorithm
        }
    }
}

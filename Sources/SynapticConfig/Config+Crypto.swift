// Config.Crypto: [crypto] — what we offer, in preference order: DH groups, HIP ciphers, ESP suites, puzzle.

extension Config {
    /// `[crypto]`. IDs are IANA numbers, the raw values of `HIPCrypto.DHGroup`, `HIPCipherID` and
    /// `ESPSuiteID` (the node maps by raw value). A value type; use it anywhere.
    public struct Crypto: Hashable, Sendable {
        /// `dh_groups`: from {3, 4, 7, 8, 11}, no duplicates, not empty.
        public let dhGroups: [UInt8]
        /// `hip_ciphers`: from {1, 2, 4}; 1 (NULL-ENCRYPT) only with `allowNullCipher`.
        public let hipCiphers: [UInt16]
        /// `esp_suites`: from {7, 8, 9, 13}; 7 (authentication only) only with `policy.allow_auth_only_esp`.
        public let espSuites: [UInt16]
        /// `puzzle_difficulty`: #K in bits asked of Initiators, 0…28.
        public let puzzleDifficulty: UInt8
        /// `puzzle_difficulty_ceiling`: the hardest #K asked while I2s that solved the puzzle keep failing
        /// (adaptive difficulty), and of Initiators at addresses not known for their HIT during an I1 flood,
        /// `puzzleDifficulty`…28; equal to `puzzleDifficulty`: neither.
        public let puzzleDifficultyCeiling: UInt8
        /// `allow_null_cipher`: NULL-ENCRYPT may be offered and accepted (testing only, RFC 7401 §5.2.8).
        public let allowNullCipher: Bool

        init(_ reader: inout TableReader, allowAuthenticationOnlyESP: Bool) throws(ConfigError) {
            allowNullCipher = try reader.value("allow_null_cipher")?.bool() ?? false
            dhGroups = try Self.ids(&reader, "dh_groups", "DH group", supported: ConfigProtocol.dhGroups,
                                    default: ConfigDefaults.dhGroups) { _ in nil }.map { UInt8($0) }
            hipCiphers = try Self.ids(&reader, "hip_ciphers", "HIP cipher", supported: ConfigProtocol.hipCiphers,
                                      default: ConfigDefaults.hipCiphers) { [allowNullCipher] id in
                id == ConfigProtocol.nullCipher && !allowNullCipher
                    ? "cipher 1 (NULL-ENCRYPT) needs crypto.allow_null_cipher = true" : nil
            }.map { UInt16($0) }
            espSuites = try Self.ids(&reader, "esp_suites", "ESP suite", supported: ConfigProtocol.espSuites,
                                     default: ConfigDefaults.espSuites) { id in
                id == ConfigProtocol.authenticationOnlySuite && !allowAuthenticationOnlyESP
                    ? "suite 7 (NULL encryption, authentication only) needs policy.allow_auth_only_esp = true" : nil
            }.map { UInt16($0) }
            puzzleDifficulty = UInt8(try reader.value("puzzle_difficulty")?.int(in: ConfigLimits.puzzleDifficulty)
                                     ?? ConfigDefaults.puzzleDifficulty)
            if let value = reader.value("puzzle_difficulty_ceiling") {
                let ceiling = try value.int(in: ConfigLimits.puzzleDifficulty)
                guard ceiling >= Int(puzzleDifficulty) else {
                    throw value.invalid("\(ceiling) is below crypto.puzzle_difficulty (\(puzzleDifficulty))")
                }
                puzzleDifficultyCeiling = UInt8(ceiling)
            } else {
                puzzleDifficultyCeiling = UInt8(max(ConfigDefaults.puzzleDifficultyCeiling, Int(puzzleDifficulty)))
            }
        }

        /// A preference list of IDs: not empty, each supported and allowed (`refusal` returns why not), no
        /// duplicates.
        private static func ids(_ reader: inout TableReader, _ key: String, _ noun: String, supported: Set<Int>,
                                default defaults: [Int], refusal: (Int) -> String?) throws(ConfigError) -> [Int] {
            guard let value = reader.value(key) else { return defaults }
            let items = try value.array()
            guard !items.isEmpty else { throw value.invalid("must list at least one \(noun)") }
            var ids: [Int] = []
            for item in items {
                let id = try item.int(in: 0...Int(UInt16.max))
                guard supported.contains(id) else {
                    let list = supported.sorted().map(String.init).joined(separator: ", ")
                    throw item.invalid("\(id) is not a supported \(noun) (supported: \(list))")
                }
                if let why = refusal(id) { throw item.invalid(why) }
                if let first = ids.firstIndex(of: id) {
                    throw .duplicate(item.file, item.path, "\(noun) \(id)", first: "\(value.path)[\(first)]")
                }
                ids.append(id)
            }
            return ids
        }
    }
}

// Config.Rekey: [rekey] — when an SA pair is replaced by new keys with an UPDATE (RFC 7402 §6).

extension Config {
    /// `[rekey]`. A value type; use it anywhere.
    public struct Rekey: Hashable, Sendable {
        /// `after_bytes`: rekey once an SA carried this many ESP payload bytes (either direction); nil
        /// (`0` in the file) never by bytes.
        public let afterBytes: UInt64?
        /// `after_seconds`: rekey an SA pair this long after it was installed; nil (`0`) never by age.
        public let afterSeconds: Duration?
        /// `after_packets`: rekey once an SA used this many sequence numbers; nil (`0`) only before the 64-bit
        /// sequence space runs out.
        public let afterPackets: UInt64?
        /// `diffie_hellman`: each rekey runs a new Diffie-Hellman (fresh keys independent of the old ones);
        /// false draws the new keys further along the existing KEYMAT.
        public let diffieHellman: Bool

        init(_ reader: inout TableReader) throws(ConfigError) {
            let bytes = try Self.threshold(&reader, "after_bytes", minimum: ConfigLimits.rekeyMinimumBytes,
                                           default: ConfigDefaults.rekeyAfterBytes)
            afterBytes = bytes == 0 ? nil : UInt64(bytes)
            let seconds = try Self.threshold(&reader, "after_seconds", minimum: ConfigLimits.rekeyMinimumSeconds,
                                             default: ConfigDefaults.rekeyAfterSeconds)
            afterSeconds = seconds == 0 ? nil : .seconds(seconds)
            let packets = try Self.threshold(&reader, "after_packets", minimum: ConfigLimits.rekeyMinimumPackets, default: 0)
            afterPackets = packets == 0 ? nil : UInt64(packets)
            diffieHellman = try reader.value("diffie_hellman")?.bool() ?? ConfigDefaults.rekeyDiffieHellman
        }

        /// A threshold key: 0 (never) or at least `minimum`.
        private static func threshold(_ reader: inout TableReader, _ key: String, minimum: Int,
                                      default fallback: Int) throws(ConfigError) -> Int {
            guard let value = reader.value(key) else { return fallback }
            let number = try value.int(in: 0...Int.max)
            guard number == 0 || number >= minimum else { throw value.invalid("0 (never) or at least \(minimum)") }
            return number
        }
    }
}

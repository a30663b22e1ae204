// Config.NAT: [nat] — NAT traversal settings: how often an otherwise quiet UDP path gets a NAT keepalive.

extension Config {
    /// `[nat]`. A value type; use it anywhere.
    public struct NAT: Hashable, Sendable {
        /// `keepalive_seconds`: a NAT keepalive goes out on a UDP path after this long with nothing sent on
        /// it, 15 s (the least RFC 9028 §4.10 allows) to 1 hour.
        public let keepaliveSeconds: Duration

        init(_ reader: inout TableReader) throws(ConfigError) {
            keepaliveSeconds = .seconds(try reader.value("keepalive_seconds")?.int(in: ConfigLimits.natKeepaliveSeconds)
                                        ?? ConfigDefaults.natKeepaliveSeconds)
        }
    }
}

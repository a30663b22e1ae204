// Config.Policy: [policy] — which peers may form associations, and whether authentication-only ESP is accepted.

extension Config {
    /// `[policy]`. A value type; use it anywhere.
    public struct Policy: Hashable, Sendable {
        /// `allow`: which peers may complete a base exchange with us, in either direction. The HITs of
        /// `[[servers]]` are admitted whatever it says (see `Config.allowedPeers`).
        public enum Allow: Hashable, Sendable {
            /// `"configured"` (the default): the HITs of `[[peers]]`.
            case configured
            /// `"any"`: any host that proves its HIT (opportunistic).
            case any
            /// A list of HITs: the HITs of `[[peers]]` and these.
            case listed(Set<HIT>)
        }

        public let allow: Allow
        /// `allow_auth_only_esp`: ESP suite 7 (NULL encryption with HMAC-SHA-256) may be offered and accepted.
        public let allowAuthenticationOnlyESP: Bool

        init(_ reader: inout TableReader) throws(ConfigError) {
            if let value = reader.value("allow") {
                if value.isArray {
                    var hits: Set<HIT> = []
                    for item in try value.array() { hits.insert(try HIT(item)) }
                    allow = .listed(hits)
                } else {
                    switch try value.string() {
                    case "configured": allow = .configured
                    case "any": allow = .any
                    case let text:
                        throw value.invalid("\"\(text)\" is not \"configured\", \"any\" or a list of HITs")
                    }
                }
            } else {
                allow = .configured
            }
            allowAuthenticationOnlyESP = try reader.value("allow_auth_only_esp")?.bool() ?? false
        }
    }
}

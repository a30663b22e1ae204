// Config.Policy: [policy] — which peers may form associations, and whether authentication-only ESP is accepted.

extension Config {
    /// `[policy]`. A value type; use it anywhere.
    public struct Policy: Hashable, Sendable {
        /// `allow`: which peers may complete a base exchange with us, in either direction; a list adds its
        /// HITs to those of `[[peers]]`. The HITs of `[[servers]]` (and those `[server] allow` lets register)
        /// are admitted whatever it says (see `Config.allowedPeers`).
        public let allow: Admission
        /// `allow_auth_only_esp`: ESP suite 7 (NULL encryption with HMAC-SHA-256) may be offered and accepted.
        public let allowAuthenticationOnlyESP: Bool

        init(_ reader: inout TableReader) throws(ConfigError) {
            allow = try Admission(reader.value("allow"))
            allowAuthenticationOnlyESP = try reader.value("allow_auth_only_esp")?.bool() ?? false
        }
    }
}

// Config.Admission: the form `[policy] allow` and `[server] allow` share — "configured", "any", or a list of
// HITs — parsed in one place; each key says what its list means.

extension Config {
    /// Which hosts a key admits.
    public enum Admission: Hashable, Sendable {
        /// `"configured"` (the default): the HITs of `[[peers]]`.
        case configured
        /// `"any"`: any host that proves its HIT.
        case any
        /// A list of HITs (whether `[[peers]]` are added depends on the key).
        case listed(Set<HIT>)

        /// Reads the value of an `allow` key; absent: `.configured`.
        init(_ value: ConfigValue?) throws(ConfigError) {
            guard let value else {
                self = .configured
                return
            }
            if value.isArray {
                var hits: Set<HIT> = []
                for item in try value.array() { hits.insert(try HIT(item)) }
                self = .listed(hits)
                return
            }
            switch try value.string() {
            case "configured": self = .configured
            case "any": self = .any
            case let text: throw value.invalid("\"\(text)\" is not \"configured\", \"any\" or a list of HITs")
            }
        }
    }
}

// Config.Registrar: [server] — the registration services this host offers others: RFC 8004 rendezvous and
// RFC 9028 relay (control relay and data relay), and who may register for them.

extension Config {
    /// `[server]`: what this host serves to hosts that register with it. Both services are off by default.
    /// A value type; use it anywhere.
    public struct Registrar: Hashable, Sendable {
        /// `allow`: which hosts may register (RFC 8003 registration) for the services offered.
        public enum Allow: Hashable, Sendable {
            /// `"configured"` (the default): the HITs of `[[peers]]`.
            case configured
            /// `"any"`: any host that proves its HIT.
            case any
            /// A list of HITs: exactly these (the `[[peers]]` are not added).
            case listed(Set<HIT>)
        }

        /// `rendezvous`: offer the RFC 8004 rendezvous service (registration type 1).
        public let rendezvous: Bool
        /// `relay`: offer the RFC 9028 control relay and data relay (registration types 2 and 3).
        public let relay: Bool
        public let allow: Allow

        /// Whether this host offers any registration service at all.
        public var isServing: Bool { rendezvous || relay }

        init(_ reader: inout TableReader) throws(ConfigError) {
            rendezvous = try reader.value("rendezvous")?.bool() ?? ConfigDefaults.serverRendezvous
            relay = try reader.value("relay")?.bool() ?? ConfigDefaults.serverRelay
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
        }
    }
}

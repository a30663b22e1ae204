// Config.Registrar: [server] — the registration services this host offers others: RFC 8004 rendezvous and
// RFC 9028 relay (control relay and data relay), and who may register for them.

extension Config {
    /// `[server]`: what this host serves to hosts that register with it. Both services are off by default.
    /// A value type; use it anywhere.
    public struct Registrar: Hashable, Sendable {
        /// `rendezvous`: offer the RFC 8004 rendezvous service (registration type 1).
        public let rendezvous: Bool
        /// `relay`: offer the RFC 9028 control relay and data relay (registration types 2 and 3).
        public let relay: Bool
        /// `allow`: which hosts may register (RFC 8003) for the services offered; a list means exactly these
        /// HITs (the `[[peers]]` are not added).
        public let allow: Admission

        /// Whether this host offers any registration service at all.
        public var isServing: Bool { rendezvous || relay }

        init(_ reader: inout TableReader) throws(ConfigError) {
            rendezvous = try reader.value("rendezvous")?.bool() ?? ConfigDefaults.serverRendezvous
            relay = try reader.value("relay")?.bool() ?? ConfigDefaults.serverRelay
            allow = try Admission(reader.value("allow"))
        }
    }
}

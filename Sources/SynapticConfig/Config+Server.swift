// Config.Server: one [[servers]] entry — a rendezvous or relay server this host registers with: its name,
// HIT, locators and the services asked for.

extension Config {
    /// Registration services a host can ask a server for.
    public enum Service: String, CaseIterable, Hashable, Sendable {
        /// RFC 8004 rendezvous (registration type 1): the server forwards I1s addressed to our HIT.
        case rendezvous
        /// RFC 9028 control relay and data relay (registration types 2 and 3): the server relays HIP control
        /// and ESP for us, for hosts behind NATs.
        case relay
    }

    /// One `[[servers]]` entry. Uniqueness of names and HITs across servers, and that no server is also a
    /// `[[peers]]` entry, are checked by `Config`. A value type; use it anywhere.
    public struct Server: Hashable, Sendable {
        /// `name`: how `[[peers]] via` refers to it, and for logs (1–63 letters, digits, '.', '_', '-'); required.
        public let name: String
        /// `hit`: the server's HIT (required).
        public let hit: HIT
        /// `locators`: where to reach the server, in order (at least one); a locator without a port uses
        /// `transport.udp_port`.
        public let locators: [Endpoint]
        /// `services`: what to register for; not empty. Default: both.
        public let services: Set<Service>

        init(_ reader: inout TableReader, defaultPort: UInt16) throws(ConfigError) {
            guard let nameValue = reader.value("name") else { throw .missing(reader.file, reader.keyPath("name")) }
            name = try Config.hostName(nameValue)
            guard let hitValue = reader.value("hit") else { throw .missing(reader.file, reader.keyPath("hit")) }
            hit = try HIT(hitValue)

            guard let locatorsValue = reader.value("locators") else {
                throw .missing(reader.file, reader.keyPath("locators"))
            }
            var locators: [Endpoint] = []
            for item in try locatorsValue.array() {
                locators.append(try Endpoint(item, defaultPort: defaultPort, allowsUnspecified: false))
            }
            guard !locators.isEmpty else { throw locatorsValue.invalid("must list at least one locator") }
            self.locators = locators

            if let value = reader.value("services") {
                var services: [Service] = []
                for item in try value.array() {
                    let service = try item.choice(Service.self)
                    if let first = services.firstIndex(of: service) {
                        throw .duplicate(item.file, item.path, "service \"\(service.rawValue)\"", first: "\(value.path)[\(first)]")
                    }
                    services.append(service)
                }
                guard !services.isEmpty else { throw value.invalid("must list at least one service (rendezvous, relay)") }
                self.services = Set(services)
            } else {
                services = Set(Service.allCases)
            }
        }
    }
}

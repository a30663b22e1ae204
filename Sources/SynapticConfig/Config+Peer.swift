// Config.Peer: one [[peers]] entry — a peer's HIT, where to reach it (directly or via a server), and how to
// call it.

extension Config {
    /// One `[[peers]]` entry. Uniqueness of HITs, names and LSIs across peers, and that `via` names a server,
    /// are checked by `Config`. A value type; use it anywhere.
    public struct Peer: Hashable, Sendable {
        /// `hit`: the peer's HIT (required).
        public let hit: HIT
        /// `locators`: where to start a base exchange, in order; a locator without a port uses
        /// `transport.udp_port`. Empty: we only answer this peer.
        public let locators: [Endpoint]
        /// `name`: for logs and `synaptic status` (1–63 letters, digits, '.', '_', '-'); optional.
        public let name: String?
        /// `lsi`: an IPv4 address in 1.0.0.0/8 to use instead of the one derived from the HIT; optional.
        public let lsi: Address?
        /// `via`: the `[[servers]]` entry (by name) this peer is reached through (RFC 8004 rendezvous or
        /// RFC 9028 relay); optional. `Config` checks that the server exists.
        public let via: String?

        init(_ reader: inout TableReader, defaultPort: UInt16) throws(ConfigError) {
            guard let hitValue = reader.value("hit") else { throw .missing(reader.file, reader.keyPath("hit")) }
            hit = try HIT(hitValue)

            var locators: [Endpoint] = []
            for item in try reader.value("locators")?.array() ?? [] {
                locators.append(try Endpoint(item, defaultPort: defaultPort, allowsUnspecified: false))
            }
            self.locators = locators

            if let value = reader.value("name") {
                name = try Config.hostName(value)
            } else {
                name = nil
            }

            if let value = reader.value("lsi") {
                let text = try value.string()
                guard let address = Address(text), address.isIPv4, address.bytes[0] == ConfigProtocol.lsiFirstOctet,
                      address.bytes[1...].contains(where: { $0 != 0 }) else {
                    throw value.invalid("\"\(text)\" is not an LSI (an IPv4 address in 1.0.0.0/8 other than 1.0.0.0)")
                }
                lsi = address
            } else {
                lsi = nil
            }

            via = try reader.value("via")?.string()
        }
    }
}

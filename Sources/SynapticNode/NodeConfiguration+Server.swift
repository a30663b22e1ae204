// NodeConfiguration.Server: a rendezvous or relay server the node registers with ([[servers]]), and the
// services it can ask for.
import HIPWire

extension NodeConfiguration {
    /// A registration service (RFC 8003) a host asks a server for.
    public enum Service: Hashable, Sendable, CaseIterable {
        /// RFC 8004 rendezvous (registration type 1).
        case rendezvous
        /// RFC 9028 control relay and data relay (registration types 2 and 3).
        case relay
    }

    /// A server this host registers with: its name (what `Peer.via` refers to), HIT, where to reach it, and
    /// what to register for.
    public struct Server: Hashable, Sendable {
        public var name: String
        public var hit: HIT
        /// Where to send the registration I1 (in this order).
        public var locators: [Locator]
        /// Not empty.
        public var services: Set<Service>

        public init(name: String, hit: HIT, locators: [Locator], services: Set<Service> = Set(Service.allCases)) {
            self.name = name
            self.hit = hit
            self.locators = locators
            self.services = services
        }
    }
}

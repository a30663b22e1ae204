// NodeConfiguration.Registrar: the registration services the node offers others ([server]) and who may
// register for them.
import HIPWire

extension NodeConfiguration {
    /// The services this host serves (at least one of `rendezvous` and `relay`), and who may register.
    public struct Registrar: Hashable, Sendable {
        /// RFC 8004 rendezvous (registration type 1).
        public var rendezvous: Bool
        /// RFC 9028 control relay and data relay (registration types 2 and 3).
        public var relay: Bool
        /// The HITs that may register; nil: any host. A registrant must also pass `effectivePolicy` to
        /// form the association it registers over.
        public var allowed: Set<HIT>?

        public init(rendezvous: Bool, relay: Bool, allowed: Set<HIT>?) {
            self.rendezvous = rendezvous
            self.relay = relay
            self.allowed = allowed
        }
    }
}

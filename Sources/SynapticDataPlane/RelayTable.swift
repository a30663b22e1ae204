// RelayTable: the ESP a Data Relay forwards for its registered clients (RFC 9028 §4.12.3), by SPI and UDP
// source.
//
//   replace(client:routes:)   control changes, applied by the owner between batches
//     the client's earlier entries go; each route adds two:
//       (toClientSPI, from peer)   → client
//       (toPeerSPI,   from client) → peer
//     an entry another client holds stays that client's (first come: a later registration cannot take over
//     ESP that flows to someone else); the entries refused so are counted in the result
//   destination(spi:from:)    per datagram whose SPI is not one of our inbound SAs
//     one hash lookup of a fixed-size key: no allocation, no lock
// Both the SPI and the source must match: an SPI alone would let anyone inject into a client's SA. The
// relay has no keys; the owner forwards the datagram as it came. Generic over the address type, so the
// data plane needs no platform types (the node uses SocketAddress).
import HIPWire

/// The forwarding entries of a Data Relay. A value type owned by one thread (the node's outside path);
/// change it only there, between batches, so lookups never copy it.
public struct RelayTable<Address: Hashable & Sendable>: Sendable {
    /// One forwarding permission: where the client and its peer are, and the SPI of each direction.
    public struct Route: Hashable, Sendable {
        /// The registered client, where the relay reaches it.
        public var client: Address
        /// The client's peer.
        public var peer: Address
        /// ESP from `peer` with this SPI goes to `client`.
        public var toClientSPI: UInt32
        /// ESP from `client` with this SPI goes to `peer`.
        public var toPeerSPI: UInt32

        public init(client: Address, peer: Address, toClientSPI: UInt32, toPeerSPI: UInt32) {
            self.client = client
            self.peer = peer
            self.toClientSPI = toClientSPI
            self.toPeerSPI = toPeerSPI
        }

        /// The route's two entries: (SPI, source) → destination.
        var entries: [(key: Key, destination: Address)] {
            [(Key(spi: toClientSPI, source: peer), client), (Key(spi: toPeerSPI, source: client), peer)]
        }
    }

    /// What a datagram is looked up by.
    @usableFromInline
    struct Key: Hashable, Sendable {
        @usableFromInline let spi: UInt32
        @usableFromInline let source: Address

        @usableFromInline
        init(spi: UInt32, source: Address) {
            self.spi = spi
            self.source = source
        }
    }

    /// Where a matching datagram goes, and whose route put it there.
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline let destination: Address
        let client: HIT
    }

    @usableFromInline
    var entries: [Key: Entry] = [:]
    /// Each client's routes as installed (to remove its entries when they are replaced).
    private var routes: [HIT: [Route]] = [:]

    /// Routes installed, over all clients.
    public private(set) var routeCount = 0

    public init() {}

    /// Clients with at least one route.
    public var clientCount: Int { routes.count }

    /// Replaces `client`'s routes with `routes` (an empty list removes them). Returns how many of the new
    /// routes' entries another client already held (those stay with that client; the rest is installed).
    @discardableResult
    public mutating func replace(client: HIT, routes newRoutes: [Route]) -> Int {
        for route in routes.removeValue(forKey: client) ?? [] {
            routeCount -= 1
            for (key, _) in route.entries where entries[key]?.client == client { entries[key] = nil }
        }
        guard !newRoutes.isEmpty else { return 0 }
        var refused = 0
        for route in newRoutes {
            for (key, destination) in route.entries {
                if let holder = entries[key]?.client, holder != client {
                    refused += 1
                } else {
                    entries[key] = Entry(destination: destination, client: client)
                }
            }
        }
        routes[client] = newRoutes
        routeCount += newRoutes.count
        return refused
    }

    /// Where an ESP datagram with `spi` from `source` goes, or nil if no route matches both.
    @inlinable
    public func destination(spi: UInt32, from source: Address) -> Address? {
        entries[Key(spi: spi, source: source)]?.destination
    }
}

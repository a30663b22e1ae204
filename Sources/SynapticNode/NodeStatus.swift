// NodeStatus: what `synaptic status` shows and the metrics endpoint exports: the node, one entry per
// association, the Data Relay's forwarding, and counters. The node sends it as JSON over the status socket;
// the CLI prints it as a table (NodeStatus+Table) or as the JSON itself.

/// A snapshot of a running node. A Codable value type; use it anywhere.
///
/// Counter maps use stable snake_case labels (e.g. `unknown_spi`, `blocked_by_policy`) and hold only
/// non-zero entries.
public struct NodeStatus: Codable, Sendable, Equatable {
    public var hit: String
    public var lsi: String
    public var tun: String
    public var udpPort: Int
    public var rawHIP: Bool
    /// The status socket this came from (nil: the node serves none, or is older than this field).
    public var statusSocket: String?
    public var uptimeSeconds: Double
    public var associations: [AssociationStatus]
    /// HIP packets by type label (i1, r1, ..., close_ack).
    public var hipPacketsSent: [String: UInt64]
    public var hipPacketsReceived: [String: UInt64]
    /// Received HIP packets the core dropped, by reason.
    public var rejections: [String: UInt64]
    /// Packets dropped by the data path outside any association (unknown SPI, malformed, unroutable, ...).
    public var drops: [String: UInt64]
    /// Associations established, failed, closed and replaced since start, and base exchanges restarted
    /// because a peer's address sent ESP with an unknown SPI (`restarted_on_unknown_spi`).
    public var associationEvents: [String: UInt64]
    /// Protocol events that are neither packets nor rejections: retransmissions, duplicates answered or
    /// ignored, puzzle rotations and difficulty raises, NOTIFYs and NOTIFY reports held back by rate limits,
    /// outbound packets during an E-FAILED hold-down.
    public var hipEvents: [String: UInt64]
    /// The ESP this node forwards as a Data Relay (all zero when it relays nothing).
    public var relay: RelayStatus
    /// Hosts registered with us (`[server]`: rendezvous and relay clients, RFC 8003).
    public var registrations: [RegistrationInfo]

    public init(hit: String, lsi: String, tun: String, udpPort: Int, rawHIP: Bool, statusSocket: String? = nil,
                uptimeSeconds: Double,
                associations: [AssociationStatus], hipPacketsSent: [String: UInt64] = [:],
                hipPacketsReceived: [String: UInt64] = [:], rejections: [String: UInt64] = [:],
                drops: [String: UInt64] = [:], associationEvents: [String: UInt64] = [:],
                hipEvents: [String: UInt64] = [:], relay: RelayStatus = RelayStatus(),
                registrations: [RegistrationInfo] = []) {
        self.hit = hit
        self.lsi = lsi
        self.tun = tun
        self.udpPort = udpPort
        self.rawHIP = rawHIP
        self.statusSocket = statusSocket
        self.uptimeSeconds = uptimeSeconds
        self.associations = associations
        self.hipPacketsSent = hipPacketsSent
        self.hipPacketsReceived = hipPacketsReceived
        self.rejections = rejections
        self.drops = drops
        self.associationEvents = associationEvents
        self.hipEvents = hipEvents
        self.relay = relay
        self.registrations = registrations
    }
}

/// A registration (RFC 8003): ours with a server (in its association's status), or a client's with us.
public struct RegistrationInfo: Codable, Sendable, Equatable {
    /// The other side: its configured name, if any, and HIT.
    public var name: String?
    public var hit: String
    /// Services granted: "rendezvous", "relay-hip" (Control Relay), "relay-esp" (Data Relay); empty: none.
    public var services: [String]
    /// Seconds until it ends unless renewed.
    public var expiresInSeconds: Double?
    /// Ours: our address as the server saw it (REG_FROM). A client's: where it is now.
    public var address: String?
    /// A client's Data Relay routes.
    public var routes: Int

    public init(name: String? = nil, hit: String, services: [String], expiresInSeconds: Double? = nil,
                address: String? = nil, routes: Int = 0) {
        self.name = name
        self.hit = hit
        self.services = services
        self.expiresInSeconds = expiresInSeconds
        self.address = address
        self.routes = routes
    }

    /// "hub: relay-hip, relay-esp, 3412 s left, seen at 198.18.10.2 udp/10500".
    var cell: String {
        var parts = [services.isEmpty ? "nothing granted" : services.joined(separator: ", ")]
        if let expiresInSeconds { parts.append("\(Int(expiresInSeconds.rounded(.down))) s left") }
        if let address { parts.append("at \(address)") }
        if routes > 0 { parts.append("\(routes) relay routes") }
        return "\(name ?? hit): " + parts.joined(separator: ", ")
    }
}

/// The Data Relay's forwarding (RFC 9028 §4.12.3): routes installed for registered clients, and the ESP
/// datagrams they matched (handed to the socket; those that did not leave are counted in the node-wide
/// drops as `relay_send_failed`).
public struct RelayStatus: Codable, Sendable, Equatable {
    /// Routes (a client and one of its peers, both directions) installed now, and the clients they belong to.
    public var routes: Int
    public var clients: Int
    /// Datagrams relayed since start, and their UDP payload bytes (the ESP packets as they came).
    public var packets: UInt64
    public var bytes: UInt64

    public init(routes: Int = 0, clients: Int = 0, packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.routes = routes
        self.clients = clients
        self.packets = packets
        self.bytes = bytes
    }

    /// Whether there is anything to show: a route, or traffic relayed earlier.
    var isActive: Bool { routes > 0 || packets > 0 }
}

/// One association: who, where, which SAs, and its traffic.
public struct AssociationStatus: Codable, Sendable, Equatable {
    public var name: String?
    public var hit: String
    public var lsi: String?
    /// RFC 7401 state name (I1-SENT, ..., ESTABLISHED, CLOSING, CLOSED, E-FAILED).
    public var state: String
    /// "initiator" or "responder" of the last base exchange.
    public var role: String?
    /// How the base exchange reaches (I1-SENT: the last I1) or reached the peer: "raw" (raw HIP, IP protocol
    /// 139), "udp", or "udp_raw_unanswered" (UDP as the fallback: our raw HIP I1s went unanswered).
    public var hipTransport: String?
    /// The peer's current locator ("198.18.0.2 udp/10500").
    public var locator: String?
    /// "direct", or "relayed" when our packets to the peer go through `relay` (a server's name or HIT).
    public var path: String?
    public var relay: String?
    /// Our registration, when the peer is one of our servers.
    public var registration: RegistrationInfo?
    /// Every locator of the peer with its state (RFC 8046 §5.4); the one ESP goes to has `active` true.
    public var locators: [LocatorInfo]
    public var spiIn: UInt32?
    public var spiOut: UInt32?
    /// ESP suite name (e.g. "AES-128-GCM").
    public var suite: String?
    public var packetsIn: UInt64
    public var bytesIn: UInt64
    public var packetsOut: UInt64
    public var bytesOut: UInt64
    /// Drops on this association's SAs and queue, by reason.
    public var drops: [String: UInt64]
    /// Packets waiting for the SA.
    public var queued: Int
    /// When the last base exchange completed (ISO 8601, UTC) and how long it took (Initiator only).
    public var lastExchange: String?
    public var latencyMilliseconds: Double?

    public init(name: String? = nil, hit: String, lsi: String? = nil, state: String, role: String? = nil,
                hipTransport: String? = nil, locator: String? = nil, spiIn: UInt32? = nil, spiOut: UInt32? = nil, suite: String? = nil,
                packetsIn: UInt64 = 0, bytesIn: UInt64 = 0, packetsOut: UInt64 = 0, bytesOut: UInt64 = 0,
                drops: [String: UInt64] = [:], queued: Int = 0, lastExchange: String? = nil,
                latencyMilliseconds: Double? = nil, locators: [LocatorInfo] = [], path: String? = nil,
                relay: String? = nil, registration: RegistrationInfo? = nil) {
        self.locators = locators
        self.path = path
        self.relay = relay
        self.registration = registration
        self.name = name
        self.hit = hit
        self.lsi = lsi
        self.state = state
        self.role = role
        self.hipTransport = hipTransport
        self.locator = locator
        self.spiIn = spiIn
        self.spiOut = spiOut
        self.suite = suite
        self.packetsIn = packetsIn
        self.bytesIn = bytesIn
        self.packetsOut = packetsOut
        self.bytesOut = bytesOut
        self.drops = drops
        self.queued = queued
        self.lastExchange = lastExchange
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// One locator of a peer: address, UDP port (nil over raw HIP), state, and whether it carries traffic.
public struct LocatorInfo: Codable, Sendable, Equatable {
    public var address: String
    public var port: UInt16?
    /// UNVERIFIED, ACTIVE or DEPRECATED.
    public var state: String
    /// Whether ESP to the peer goes there now.
    public var active: Bool

    public init(address: String, port: UInt16?, state: String, active: Bool) {
        self.address = address
        self.port = port
        self.state = state
        self.active = active
    }

    /// "198.18.0.2:10500 ACTIVE*" (a star marks the locator carrying traffic; "(raw)" for raw HIP).
    var cell: String {
        let place = port.map { address.contains(":") ? "[\(address)]:\($0)" : "\(address):\($0)" } ?? "\(address) (raw)"
        return "\(place) \(state)\(active ? "*" : "")"
    }
}

// NodeConfiguration+Core: what the node derives from its configuration for the core and the peer table:
// the core's settings with our UDP port, the NAT keepalive, the services we offer and those we register
// for (registration types, RFC 8003/8004/9028); and the peers the node knows, servers included.
import HIPCore
import HIPWire

extension NodeConfiguration.Service {
    /// The registration types this service stands for: rendezvous 1; relay 2 (Control Relay) and 3 (Data Relay).
    var registrationTypes: [UInt8] {
        switch self {
        case .rendezvous: [RegistrationType.rendezvous]
        case .relay: [RegistrationType.relayUDPHIP, RegistrationType.relayUDPESP]
        }
    }
}

extension NodeConfiguration {
    /// `hostSettings` with what other parts of the configuration decide: our UDP port (host candidates), the
    /// NAT keepalive, the registrar (`registrar`) and the servers to register with (`servers`).
    var coreSettings: HostSettings {
        var settings = hostSettings
        settings.udpPort = udpPort
        settings.natKeepaliveInterval = natKeepalive
        if let registrar {
            let services: [Service] = (registrar.rendezvous ? [.rendezvous] : []) + (registrar.relay ? [.relay] : [])
            settings.registrar = HostSettings.Registrar(types: services.flatMap(\.registrationTypes),
                                                        allowed: registrar.allowed)
        }
        settings.registrations = Dictionary(servers.map { server in
            (server.hit, Service.allCases.filter(server.services.contains).flatMap(\.registrationTypes))
        }, uniquingKeysWith: { first, _ in first })
        return settings
    }

    /// The peers the node knows: `peers`, a peer reached `via` a server with that server's locators after its
    /// own (its I1 goes to the server, which forwards it), then the servers themselves (by name).
    var knownPeers: [Peer] {
        let byName = Dictionary(servers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let reached = peers.map { peer in
            guard let server = peer.via.flatMap({ byName[$0] }) else { return peer }
            var copy = peer
            copy.locators += server.locators.filter { !peer.locators.contains($0) }
            return copy
        }
        return reached + servers.map { Peer(hit: $0.hit, name: $0.name, locators: $0.locators) }
    }
}

// NodeConfiguration+Config: the node's settings from the validated TOML configuration (SynapticConfig),
// mapped to the protocol targets' types.
import HIPCore
import SynapticDataPlane
import HIPCrypto
import HIPWire
import Logging
import SynapticConfig

extension NodeConfiguration {
    /// The settings of `config`. SynapticConfig has validated every value, so the mappings below cannot
    /// fail for a loaded Config (IDs are from the supported sets).
    public init(_ config: Config) {
        self.init(identityKeyPath: config.identity.keyPath)
        identityKind = HostIdentityKind(rawValue: config.identity.algorithm.rawValue) ?? .ecdsaP256
        tunName = config.tun.name
        mtu = config.tun.mtu
        offload = config.tun.offload
        if let workers = config.dataPlaneWorkers { dataPlaneWorkers = workers }
        udpPort = config.transport.udpPort
        rawHIP = config.transport.rawHIP
        listenAddresses = config.transport.listen.compactMap { IPAddress(bytes: $0.bytes) }
        peers = config.peers.compactMap { peer in
            guard let hit = HIT(bytes: peer.hit.bytes) else { return nil }
            return Peer(hit: hit, name: peer.name, locators: Self.locators(peer.locators),
                        lsi: peer.lsi.flatMap { IPAddress(bytes: $0.bytes) }.flatMap {
                            if case .v4(let value) = $0 { value } else { nil }
                        },
                        via: peer.via)
        }
        allowedPeers = AllowedPeers(config.allowedPeers.map { Set($0.compactMap { HIT(bytes: $0.bytes) }) })
        servers = config.servers.compactMap { server in
            guard let hit = HIT(bytes: server.hit.bytes) else { return nil }
            return Server(name: server.name, hit: hit, locators: Self.locators(server.locators),
                          services: Set(server.services.map(Self.service)))
        }
        if config.server.isServing {
            registrar = Registrar(rendezvous: config.server.rendezvous, relay: config.server.relay,
                                  allowed: config.registrationAllowed.map { Set($0.compactMap { HIT(bytes: $0.bytes) }) })
        }
        natKeepalive = config.nat.keepaliveSeconds

        var settings = HostSettings()
        settings.dhGroups = config.crypto.dhGroups.compactMap(DHGroup.init(rawValue:))
        settings.hipCiphers = config.crypto.hipCiphers.compactMap(HIPCipherID.init(rawValue:))
        settings.espSuites = config.crypto.espSuites.compactMap(ESPSuiteID.init(rawValue:))
        settings.allowsNullHIPCipher = config.crypto.allowNullCipher
        settings.allowsAuthenticationOnlyESP = config.policy.allowAuthenticationOnlyESP
        settings.puzzleDifficulty = config.crypto.puzzleDifficulty
        settings.puzzleDifficultyCeiling = config.crypto.puzzleDifficultyCeiling
        settings.exportsKeymatInputs = config.keylogPath != nil   // the keylog's "# HIP" line needs Kij
        let retransmission = RetransmissionPolicy(initialTimeout: config.timers.retransmitInitial,
                                                  maximumTimeout: config.timers.retransmitMaximum,
                                                  maximumRetries: config.timers.retransmitRetries)
        settings.i1Retransmission = retransmission
        settings.i2Retransmission = retransmission
        settings.closeRetransmission = retransmission
        settings.rekeyInterval = config.rekey.afterSeconds
        settings.rekeysWithDiffieHellman = config.rekey.diffieHellman
        settings.unusedAssociationLifetime = config.timers.unusedAssociationLifetime
        hostSettings = settings
        rekeyThresholds = RekeyThresholds(afterBytes: config.rekey.afterBytes,
                                          sequenceLimit: config.rekey.afterPackets ?? DataPlaneLimits.defaultRekeySequenceLimit)

        logLevel = Logger.Level(rawValue: config.logLevel.rawValue) ?? .info
        statusSocketPath = config.statusSocket
        metricsListen = config.metricsListen.flatMap { endpoint in
            IPAddress(bytes: endpoint.address.bytes).map { Locator(address: $0, port: endpoint.port) }
        }
        keylogPath = config.keylogPath
    }

    /// The locators of configured endpoints (every one maps: SynapticConfig addresses are 4 or 16 bytes).
    private static func locators(_ endpoints: [Config.Endpoint]) -> [Locator] {
        endpoints.compactMap { endpoint in
            IPAddress(bytes: endpoint.address.bytes).map { Locator(address: $0, port: endpoint.port) }
        }
    }

    private static func service(_ service: Config.Service) -> Service {
        switch service {
        case .rendezvous: .rendezvous
        case .relay: .relay
        }
    }

    /// Loads and validates the TOML file at `path`. Errors (`ConfigError`) name the file, the key and what
    /// is wrong.
    public static func load(path: String) throws(ConfigError) -> NodeConfiguration {
        NodeConfiguration(try Config.load(path: path))
    }
}

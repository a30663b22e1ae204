// NodeConfiguration: everything `Node` needs to run, as typed values of the protocol targets. Built from
// the TOML configuration (NodeConfiguration+Config.swift) by the CLI, or directly by tests and embedders.
import HIPCore
import SynapticDataPlane
import HIPCrypto
import HIPWire
import Logging
import SynapticConfig

/// The node's settings. A value type; build it anywhere and hand it to `Node.init` or `Node.reload`.
public struct NodeConfiguration: Sendable {
    /// A peer we know: its HIT, where to reach it (directly, or through a server), and an optional name for
    /// logs and status.
    public struct Peer: Hashable, Sendable {
        public var hit: HIT
        public var name: String?
        /// Where I1s go (in this order); ESP goes where the base exchange ran.
        public var locators: [Locator]
        /// The peer's LSI (host order) if fixed by configuration; else one is derived from the HIT.
        public var lsi: UInt32?
        /// The name of the `servers` entry (rendezvous or relay) this peer is reached through; nil: directly only.
        public var via: String?

        public init(hit: HIT, name: String? = nil, locators: [Locator], lsi: UInt32? = nil, via: String? = nil) {
            self.hit = hit
            self.name = name
            self.locators = locators
            self.lsi = lsi
            self.via = via
        }
    }

    /// An address and UDP port of a peer (the port is used for HIP over UDP and for ESP).
    public struct Locator: Hashable, Sendable, CustomStringConvertible {
        public var address: IPAddress
        public var port: UInt16

        public init(address: IPAddress, port: UInt16 = NodeProtocol.defaultUDPPort) {
            self.address = address
            self.port = port
        }

        public var description: String {
            if case .v6 = address { return "[\(address)]:\(port)" }
            return "\(address):\(port)"
        }
    }

    /// The host identity key file, created (mode 0600) with `identityKind` if missing.
    public var identityKeyPath: String
    public var identityKind: HostIdentityKind = .ecdsaP256
    /// TUN interface name (≤ 15 bytes; "hip%d" lets the kernel number it) and MTU.
    public var tunName = "hip0"
    public var mtu = 1392
    /// TUN and UDP offloads (TSO/USO reads, coalesced TCP writes, UDP GSO and GRO).
    public var offload = true
    /// Workers that seal (inside path) and open (outside path) each batch in parallel, per direction
    /// (the path's own thread and `n − 1` Dispatch queues); 1: no helpers.
    public var dataPlaneWorkers = NodeLimits.defaultDataPlaneWorkers
    /// The UDP port for HIP control and ESP (IPv4 and IPv6).
    public var udpPort: UInt16 = NodeProtocol.defaultUDPPort
    /// The local addresses to bind (at most one per family); empty: every address.
    public var listenAddresses: [IPAddress] = []
    /// Also send and receive HIP on raw IP protocol 139 (needs CAP_NET_RAW; without it UDP only).
    public var rawHIP = true
    public var peers: [Peer] = []
    /// Which peers may associate. Default (nil): the configured peers only. The HITs of `servers` are
    /// allowed either way, and so are the HITs `registrar` lets register (see `effectivePolicy`).
    public var allowedPeers: AllowedPeers?
    /// The rendezvous and relay servers to register with (`[[servers]]`).
    public var servers: [Server] = []
    /// The services this host offers others (`[server]`); nil: none.
    public var registrar: Registrar?
    /// A NAT keepalive goes out on a UDP path after this long with nothing sent on it (RFC 9028 §4.10:
    /// at least 15 s).
    public var natKeepalive: Duration = .seconds(15)
    /// The core's settings (offered algorithms, puzzle, timers, rekey age, UAL); the node closes associations unused for 15 minutes unless told otherwise.
    public var hostSettings: HostSettings = {
        var settings = HostSettings()
        settings.unusedAssociationLifetime = .seconds(900)
        return settings
    }()
    /// When the data plane asks for a rekey (`[rekey] after_bytes`, `after_packets`); the age and the
    /// Diffie-Hellman choice are in `hostSettings`.
    public var rekeyThresholds = RekeyThresholds()
    public var logLevel: Logger.Level = .info
    /// The status socket (mode 0600); nil: no status socket. Until set, the TUN's own one,
    /// /run/synaptic/<tunName>.sock (`Config.defaultStatusSocket(tun:)`).
    public var statusSocketPath: String? {
        get { statusSocketPath(interface: tunName) }
        set { statusSocketSetting = .some(newValue) }
    }
    /// `statusSocketPath` as set: nil while unset (the TUN's own socket), `.some(nil)` for none.
    private var statusSocketSetting: String?? = nil
    /// Where Prometheus metrics are served (HTTP GET /metrics); nil: off.
    public var metricsListen: Locator?
    /// Where ESP SAs are appended in Wireshark's esp_sa format; nil: off.
    public var keylogPath: String?

    public init(identityKeyPath: String) {
        self.identityKeyPath = identityKeyPath
    }

    /// The status socket of a node whose TUN is `interface` (the kernel's name for it, which differs from
    /// `tunName` when that is a pattern such as "hip%d").
    func statusSocketPath(interface: String) -> String? {
        statusSocketSetting ?? Config.defaultStatusSocket(tun: interface)
    }

    /// The policy in effect: `allowedPeers`, or exactly the configured peers; either way with the HITs of
    /// `servers` (a client always admits its servers).
    public var effectivePolicy: AllowedPeers {
        // Our servers are always admitted, and so is anyone `[server] allow` lets register (nil: anyone).
        var admitted = Set(servers.map(\.hit))
        if let registrar {
            guard let allowed = registrar.allowed else { return AllowedPeers(nil) }
            admitted.formUnion(allowed)
        }
        guard let allowedPeers else { return AllowedPeers(Set(peers.map(\.hit)).union(admitted)) }
        return AllowedPeers(allowedPeers.hits?.union(admitted))
    }

    /// The settings that differ in `new` but are only read at startup (a reload keeps the old values).
    /// `servers`, `registrar` and `natKeepalive` are among them: they are the core's settings, fixed when it
    /// starts (a reload still admits new servers' HITs and the HITs `registrar` lets register: the policy).
    func restartOnlyChanges(to new: NodeConfiguration) -> [String] {
        var changed: [String] = []
        if new.identityKeyPath != identityKeyPath || new.identityKind != identityKind { changed.append("identity") }
        if new.tunName != tunName || new.mtu != mtu || new.offload != offload { changed.append("tun") }
        if new.dataPlaneWorkers != dataPlaneWorkers { changed.append("dataplane") }
        if new.udpPort != udpPort || new.rawHIP != rawHIP || new.listenAddresses != listenAddresses {
            changed.append("transport")
        }
        if new.logLevel != logLevel { changed.append("log level") }
        if new.hostSettings.unusedAssociationLifetime != hostSettings.unusedAssociationLifetime {
            changed.append("timers.ual_seconds")
        }
        if new.statusSocketPath != statusSocketPath { changed.append("status socket") }
        if new.metricsListen != metricsListen { changed.append("metrics listener") }
        if new.keylogPath != keylogPath { changed.append("keylog") }
        if new.servers != servers { changed.append("servers") }
        if new.registrar != registrar { changed.append("server") }
        if new.natKeepalive != natKeepalive { changed.append("nat.keepalive_seconds") }
        let (old, next) = (hostSettings, new.hostSettings)
        if old.dhGroups != next.dhGroups || old.hipCiphers != next.hipCiphers || old.espSuites != next.espSuites
            || old.allowsNullHIPCipher != next.allowsNullHIPCipher || old.puzzleDifficulty != next.puzzleDifficulty
            || old.puzzleDifficultyCeiling != next.puzzleDifficultyCeiling {
            changed.append("crypto")
        }
        if old.allowsAuthenticationOnlyESP != next.allowsAuthenticationOnlyESP {
            changed.append("policy.allow_auth_only_esp")
        }
        if old.i1Retransmission != next.i1Retransmission { changed.append("timers.retransmit_*") }
        if old.rekeyInterval != next.rekeyInterval || old.rekeysWithDiffieHellman != next.rekeysWithDiffieHellman {
            changed.append("rekey.after_seconds or rekey.diffie_hellman")
        }
        return changed
    }
}

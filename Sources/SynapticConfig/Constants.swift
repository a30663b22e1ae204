// SynapticConfig constants: the protocol values validation checks against, this implementation's limits,
// and the defaults a key takes when the file leaves it out (each shown in Configs/synaptic.example.toml).

/// Protocol constants (RFC 7343, RFC 7401, RFC 7402) that config validation depends on.
enum ConfigProtocol {
    /// ORCHIDv2 prefix 2001:20::/28 (RFC 7343 §2): every HIT starts 20 01 00 2x.
    static let orchidPrefix: [UInt8] = [0x20, 0x01, 0x00, 0x20]
    /// LSIs live in 1.0.0.0/8.
    static let lsiFirstOctet: UInt8 = 1
    /// DH group IDs HIPCrypto implements (RFC 7401 §5.2.7): MODP 1536, 3072, ECDH P-256, P-384, MODP 2048.
    static let dhGroups: Set<Int> = [3, 4, 7, 8, 11]
    /// HIP_CIPHER IDs (RFC 7401 §5.2.8): NULL-ENCRYPT, AES-128-CBC, AES-256-CBC.
    static let hipCiphers: Set<Int> = [1, 2, 4]
    static let nullCipher = 1
    /// ESP transform suite IDs implemented (RFC 7402 §5.1.2): NULL+HMAC-SHA-256, AES-128/256-CBC+HMAC-SHA-256,
    /// AES-GCM with 16-byte ICV.
    static let espSuites: Set<Int> = [7, 8, 9, 13]
    static let authenticationOnlySuite = 7
    /// Every IPv6 link carries at least this much (RFC 8200 §5).
    static let ipv6MinimumMTU = 1280
}

/// Limits of this implementation (our choices, not protocol facts).
enum ConfigLimits {
    /// A config file larger than this is refused before parsing.
    static let maximumFileSize = 1 << 20
    /// TUN MTU: IPv6 needs 1280; above 9000 (jumbo frames) the data plane's buffers would be wasted.
    static let mtu = ConfigProtocol.ipv6MinimumMTU...9000
    /// Puzzle #K bits: 2^28 hashes take an Initiator minutes, harder is a denial of service on ourselves.
    static let puzzleDifficulty = 0...28
    /// Linux interface names hold at most 15 bytes (IFNAMSIZ − 1).
    static let interfaceNameLength = 1...15
    /// Parallel seal/open threads per direction: more than 64 would outnumber the packets of a batch.
    static let dataPlaneWorkers = 1...64
    static let peerNameLength = 1...63
    static let port = 1...65535
    static let retransmitMilliseconds = 10...300_000
    static let retransmitRetries = 0...20
    /// 0 disables closing unused associations.
    static let unusedAssociationSeconds = 0...604_800
    /// [rekey] thresholds; 0 disables each. At least 1 MiB / 10 s / 1000 packets: a rekey costs an UPDATE
    /// exchange (and a Diffie-Hellman), more often would make the tunnel mostly rekeying.
    static let rekeyMinimumBytes = 1 << 20
    static let rekeyMinimumSeconds = 10
    static let rekeyMinimumPackets = 1000
    /// NAT keepalive interval: RFC 9028 §4.10 forbids less than 15 s; NAT UDP bindings last minutes
    /// (RFC 4787 asks for at least 2), so a keepalive rarer than hourly would keep nothing alive.
    static let natKeepaliveSeconds = 15...3600
}

/// Defaults for keys the file leaves out.
enum ConfigDefaults {
    static let identityKey = "/var/lib/synaptic/host.key"
    static let identityAlgorithm = Config.KeyAlgorithm.ecdsaP256
    static let tunName = "hip0"
    /// 1500 (Ethernet) − 40 outer IPv6 − 8 UDP − 8 ESP header (SPI, sequence) − 16 IV (CBC; GCM uses 8)
    /// − 15 maximum CBC padding − 2 pad length and next header − 16 ICV = 1395, rounded down to a multiple
    /// of 8: 1392. BEET strips the inner IP header, so this leaves 40 bytes more room than strictly needed.
    static let mtu = 1392
    static let udpPort = 10500
    static let rawHIP = true
    /// ECDH first (fast, strong), then MODP by strength; 3 (MODP-1536) last because RFC 7401 requires it.
    static let dhGroups = [7, 8, 4, 11, 3]
    /// AES-256-CBC first: it only encrypts the HOST_ID in I2, so the cost difference does not matter.
    static let hipCiphers = [4, 2]
    /// AES-GCM (one pass, 16-byte ICV) first, then the mandatory AES-128-CBC+HMAC-SHA-256, then AES-256.
    static let espSuites = [13, 8, 9]
    /// #K = 4: about 16 hashes for an Initiator, so the puzzle path is exercised at negligible cost
    /// (RFC 7401 §4.1.2: keep #K small unless under load). Same as HIPCore.HostSettings.
    static let puzzleDifficulty = 4
    /// #K up to 16 (about 65 000 hashes, some milliseconds) while solved I2s keep failing: below the 20 that
    /// synaptic and HIPL Initiators solve at most. Same as HIPCore.HostSettings.
    static let puzzleDifficultyCeiling = 16
    static let logLevel = Config.LogLevel.info
    // [status] socket: /run/synaptic/<tun name>.sock (Config.defaultStatusSocket(tun:)).
    /// I1/I2/CLOSE retransmission: 1 s doubling up to 8 s, 4 retries (as HIPCore.HostSettings).
    static let retransmitInitialMilliseconds = 1000
    static let retransmitMaximumMilliseconds = 8000
    static let retransmitRetries = 4
    /// Rekey after 1 TiB or one hour, whichever comes first, with a new Diffie-Hellman each time.
    static let rekeyAfterBytes = 1 << 40
    static let rekeyAfterSeconds = 3600
    static let rekeyDiffieHellman = true
    /// Unused Association Lifetime: 15 minutes, the value RFC 7401 §4.4.3 implementations typically use.
    static let unusedAssociationSeconds = 900
    /// [server]: this host serves nobody unless told to.
    static let serverRendezvous = false
    static let serverRelay = false
    /// 15 s, the RFC 9028 §4.10 default: short enough for the NAT bindings seen in practice.
    static let natKeepaliveSeconds = 15
}

// Config: a synaptic configuration file (TOML), typed and validated at load. Every key is documented with
// its default in Configs/synaptic.example.toml. Loading: read the file → refuse what the TOML parser
// would abort on (TOMLPreflight) → parse TOML (TOMLKit) → read each
// table with a TableReader (type and range checks, unknown keys refused) → cross-checks (peer and server
// uniqueness, no server also a peer, each peer's via naming a server, crypto lists against policy).
import TOMLKit

/// A validated configuration. Immutable once loaded; `Config.load` is the only way to get one, so every
/// value in it has passed validation. A value type: share it across threads freely.
public struct Config: Hashable, Sendable {
    public let identity: Identity
    public let tun: Tun
    public let transport: Transport
    /// `[[peers]]`, in file order; HITs, names and LSIs are unique, and each `via` names one of `servers`.
    public let peers: [Peer]
    public let policy: Policy
    /// `[server]`: the rendezvous and relay services this host offers.
    public let server: Registrar
    /// `[[servers]]`: the servers this host registers with, in file order; names and HITs are unique, and
    /// no server HIT is also a `[[peers]]` HIT.
    public let servers: [Server]
    /// `[nat]`.
    public let nat: NAT
    public let crypto: Crypto
    /// `[log] level`.
    public let logLevel: LogLevel
    /// `[status] socket`: the Unix socket `synaptic status` talks to (created 0600 by the node); by default
    /// one per TUN, `Config.defaultStatusSocket(tun:)`.
    public let statusSocket: String
    /// `[metrics] listen`: where to serve Prometheus metrics; nil (`""` in the file, the default) is off.
    public let metricsListen: Endpoint?
    /// `[keylog] path`: where to append ESP SAs and DH secrets for Wireshark; nil (`""`, the default) is off.
    public let keylogPath: String?
    public let timers: Timers
    public let rekey: Rekey
    /// `[dataplane] workers`: parallel seal/open threads per direction; nil (left out): the node's default.
    public let dataPlaneWorkers: Int?

    /// Reads and validates the file at `path`. Relative paths inside it are taken relative to its directory.
    /// Blocking file I/O: call it at start-up or on SIGHUP, not from the data path.
    /// - Throws: `ConfigError` naming the file, the key and what is wrong; the caller prints its
    ///   `description` and exits non-zero.
    public static func load(path: String) throws(ConfigError) -> Config {
        try parse(ConfigFile.read(path), file: path, baseDirectory: ConfigFile.directory(of: path))
    }

    /// Validates TOML text. `file` names it in errors; relative paths are taken relative to `baseDirectory`
    /// when given, and left as written otherwise.
    /// - Throws: `ConfigError`, as `load(path:)`.
    public static func parse(_ text: String, file: String = "<config>", baseDirectory: String? = nil) throws(ConfigError) -> Config {
        // TOMLKit hands the text to toml++ as a C string: a NUL would silently end the file early.
        guard !text.utf8.contains(0) else { throw .notText(file, "contains a NUL byte") }
        // toml++ 3.4.0 aborts the process on some malformed texts (TOMLPreflight).
        if let finding = TOMLPreflight.check(text) {
            throw .syntax(file, line: finding.line, column: finding.column, finding.problem)
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(file, line: error.source.begin.line, column: error.source.begin.column, error.description)
        } catch {
            throw .syntax(file, line: 0, column: 0, "\(error)")
        }
        var reader = TableReader(root, path: "", file: file)
        let config = try Config(&reader, baseDirectory: baseDirectory)
        try reader.checkUnknownKeys()
        return config
    }

    /// Where the nodes of a host keep their status sockets by default (`synaptic status` without arguments
    /// asks every socket there).
    public static let statusDirectory = "/run/synaptic"

    /// The status socket of a node whose `[status] socket` is left out: one per TUN interface, as wg-quick
    /// keeps one socket per WireGuard interface, so nodes on one host never share one.
    public static func defaultStatusSocket(tun: String) -> String {
        "\(statusDirectory)/\(tun).sock"
    }

    /// The HITs that may form associations with us, or nil when any peer may (`policy.allow = "any"`).
    /// A client always admits the HITs of its `[[servers]]`, and a server the hosts that may register with it.
    public var allowedPeers: Set<HIT>? {
        var admitted = Set(peers.map(\.hit)).union(servers.map(\.hit))
        if server.isServing {
            guard let registrants = registrationAllowed else { return nil }
            admitted.formUnion(registrants)
        }
        return switch policy.allow {
        case .any: nil
        case .configured: admitted
        case .listed(let hits): hits.union(admitted)
        }
    }

    /// The HITs that may register with this host's services (`[server] allow`), or nil when any host may
    /// (they are admitted to the base exchange too: `allowedPeers`).
    public var registrationAllowed: Set<HIT>? {
        switch server.allow {
        case .any: nil
        case .configured: Set(peers.map(\.hit))
        case .listed(let hits): hits
        }
    }

    private init(_ reader: inout TableReader, baseDirectory: String?) throws(ConfigError) {
        identity = try reader.table("identity") { (table: inout TableReader) throws(ConfigError) in
            try Identity(&table, baseDirectory: baseDirectory)
        }
        tun = try reader.table("tun") { (table: inout TableReader) throws(ConfigError) in try Tun(&table) }
        transport = try reader.table("transport") { (table: inout TableReader) throws(ConfigError) in
            try Transport(&table)
        }
        policy = try reader.table("policy") { (table: inout TableReader) throws(ConfigError) in try Policy(&table) }
        crypto = try reader.table("crypto") { [policy] (table: inout TableReader) throws(ConfigError) in
            try Crypto(&table, allowAuthenticationOnlyESP: policy.allowAuthenticationOnlyESP)
        }
        peers = try Self.readPeers(&reader, defaultPort: transport.udpPort)
        server = try reader.table("server") { (table: inout TableReader) throws(ConfigError) in try Registrar(&table) }
        servers = try Self.readServers(&reader, defaultPort: transport.udpPort, peers: peers)
        try Self.checkVia(of: peers, servers: servers, file: reader.file, path: reader.keyPath("peers"))
        nat = try reader.table("nat") { (table: inout TableReader) throws(ConfigError) in try NAT(&table) }
        logLevel = try reader.table("log") { (table: inout TableReader) throws(ConfigError) in
            try table.value("level")?.choice(LogLevel.self) ?? ConfigDefaults.logLevel
        }
        statusSocket = try reader.table("status") { [tun] (table: inout TableReader) throws(ConfigError) in
            try table.value("socket")?.filePath(relativeTo: baseDirectory) ?? Config.defaultStatusSocket(tun: tun.name)
        }
        metricsListen = try reader.table("metrics") { (table: inout TableReader) throws(ConfigError) -> Endpoint? in
            guard let value = table.value("listen"), try !value.string().isEmpty else { return nil }
            return try Endpoint(value, defaultPort: nil, allowsUnspecified: true)
        }
        keylogPath = try reader.table("keylog") { (table: inout TableReader) throws(ConfigError) -> String? in
            guard let value = table.value("path"), try !value.string().isEmpty else { return nil }
            return try value.filePath(relativeTo: baseDirectory)
        }
        timers = try reader.table("timers") { (table: inout TableReader) throws(ConfigError) in try Timers(&table) }
        rekey = try reader.table("rekey") { (table: inout TableReader) throws(ConfigError) in try Rekey(&table) }
        dataPlaneWorkers = try reader.table("dataplane") { (table: inout TableReader) throws(ConfigError) -> Int? in
            try table.value("workers")?.int(in: ConfigLimits.dataPlaneWorkers)
        }
    }

    /// `[[peers]]`, with HITs, names and LSIs unique across entries.
    private static func readPeers(_ reader: inout TableReader, defaultPort: UInt16) throws(ConfigError) -> [Peer] {
        guard let value = reader.value("peers") else { return [] }
        var peers: [Peer] = []
        var hits = FirstSeen<HIT>(list: value, key: "hit"), names = FirstSeen<String>(list: value, key: "name")
        var lsis = FirstSeen<Address>(list: value, key: "lsi")
        for (index, item) in try value.array(expected: "an array of tables ([[peers]])").enumerated() {
            let peer = try item.table { (table: inout TableReader) throws(ConfigError) in
                try Peer(&table, defaultPort: defaultPort)
            }
            try hits.insert(peer.hit, "HIT \(peer.hit)", at: index, item: item)
            if let name = peer.name { try names.insert(name, "name \"\(name)\"", at: index, item: item) }
            if let lsi = peer.lsi { try lsis.insert(lsi, "LSI \(lsi)", at: index, item: item) }
            peers.append(peer)
        }
        return peers
    }

    /// `[[servers]]`, with names and HITs unique across entries and no HIT of `peers`.
    private static func readServers(_ reader: inout TableReader, defaultPort: UInt16,
                                    peers: [Peer]) throws(ConfigError) -> [Server] {
        guard let value = reader.value("servers") else { return [] }
        var servers: [Server] = []
        var hits = FirstSeen<HIT>(list: value, key: "hit"), names = FirstSeen<String>(list: value, key: "name")
        for (index, item) in try value.array(expected: "an array of tables ([[servers]])").enumerated() {
            let server = try item.table { (table: inout TableReader) throws(ConfigError) in
                try Server(&table, defaultPort: defaultPort)
            }
            try names.insert(server.name, "name \"\(server.name)\"", at: index, item: item)
            try hits.insert(server.hit, "HIT \(server.hit)", at: index, item: item)
            if let peer = peers.firstIndex(where: { $0.hit == server.hit }) {
                throw .invalid(item.file, "\(item.path).hit",
                               "\(server.hit) is also peers[\(peer)].hit (a server is not listed in [[peers]] as well)")
            }
            servers.append(server)
        }
        return servers
    }

    /// Where each value of one key of an array of tables was first seen: a second one is a `.duplicate`.
    private struct FirstSeen<Key: Hashable> {
        let list: ConfigValue
        let key: String
        var first: [Key: Int] = [:]

        init(list: ConfigValue, key: String) {
            self.list = list
            self.key = key
        }

        mutating func insert(_ value: Key, _ description: String, at index: Int, item: ConfigValue) throws(ConfigError) {
            if let earlier = first[value] {
                throw .duplicate(item.file, "\(item.path).\(key)", description, first: "\(list.path)[\(earlier)].\(key)")
            }
            first[value] = index
        }
    }

    /// Each peer's `via` names one of `servers`; `path` is the `[[peers]]` array's key path.
    private static func checkVia(of peers: [Peer], servers: [Server], file: String, path: String) throws(ConfigError) {
        for (index, peer) in peers.enumerated() {
            guard let via = peer.via, !servers.contains(where: { $0.name == via }) else { continue }
            let names = servers.isEmpty ? "there are none" : "there are: " + servers.map(\.name).joined(separator: ", ")
            throw .invalid(file, "\(path)[\(index)].via", "\"\(via)\" names no [[servers]] entry (\(names))")
        }
    }

    /// A host name (`[[peers]]` and `[[servers]]` name): 1–63 letters, digits, '.', '_', '-'.
    static func hostName(_ value: ConfigValue) throws(ConfigError) -> String {
        let text = try value.string()
        guard ConfigLimits.peerNameLength.contains(text.utf8.count), text.utf8.allSatisfy(isNameByte) else {
            throw value.invalid("\"\(text)\" is not a valid name (1 to 63 letters, digits, '.', '_' or '-')")
        }
        return text
    }

    /// Bytes allowed in interface and peer names: ASCII letters, digits, '.', '_', '-'.
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}

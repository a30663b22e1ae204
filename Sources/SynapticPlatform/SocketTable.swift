// SocketTable: the TCP or UDP sockets of the calling thread's network namespace, from
// /proc/thread-self/net/{tcp,tcp6,udp,udp6} (proc(5); lines written by the kernel's tcp4_seq_show,
// tcp6_seq_show and udp_seq_show / udp6_seq_show).
//
//     sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode …  (header)
//      0: 05000001:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 442498 1 …
//      0: 2A000120000001000000000005000000:138D 00000000000000000000000000000000:0000 0A 00000000:00000000 …
//
//   address  each 32-bit word of the address as the kernel stores it (network byte order in memory),
//            printed as a host integer with %08X: IPv4 one word (1.0.0.5 is 05000001 on little-endian),
//            IPv6 four (2001:2a:1::5 is 2A000120 00000100 00000000 05000000)
//   port     %04X of the port in host order
//   st       %02X socket state (include/net/tcp_states.h): 0A = LISTEN; a UDP socket shows 07 (CLOSE)
//            until it is connected, then 01 (ESTABLISHED)
// Columns after st are not read.

/// A snapshot of the kernel's TCP or UDP socket list for one address family. A Sendable value.
public struct SocketTable: Sendable {
    /// Which list.
    public enum Transport: Sendable, Hashable {
        case tcp
        case udp
    }

    /// One socket: its bound (local) and connected (remote) address and port, and its state.
    public struct Entry: Hashable, Sendable {
        public var localAddress: InetAddress
        public var localPort: UInt16
        public var remoteAddress: InetAddress
        public var remotePort: UInt16
        public var state: UInt8

        public init(localAddress: InetAddress, localPort: UInt16, remoteAddress: InetAddress, remotePort: UInt16,
                    state: UInt8) {
            self.localAddress = localAddress
            self.localPort = localPort
            self.remoteAddress = remoteAddress
            self.remotePort = remotePort
            self.state = state
        }

        /// A TCP socket in LISTEN.
        public var isListening: Bool { state == SocketTable.listenState }
    }

    /// TCP_LISTEN (include/net/tcp_states.h).
    public static let listenState: UInt8 = 0x0A

    public let entries: [Entry]

    /// The `transport` sockets of `family` in the calling thread's network namespace; with `localPort`,
    /// only those bound to that port. Throws `SystemError` when the file cannot be read, or is malformed.
    public static func read(_ transport: Transport, family: AddressFamily,
                            localPort: UInt16? = nil) throws(SystemError) -> SocketTable {
        let name = switch (transport, family) {
        case (.tcp, .v4): "net/tcp"
        case (.tcp, .v6): "net/tcp6"
        case (.udp, .v4): "net/udp"
        case (.udp, .v6): "net/udp6"
        }
        return try SocketTable(parsing: ProcFile.readText(ProcFile.path(name)), family: family, localPort: localPort)
    }

    /// Parses the text of one of the files (its header line is skipped); with `localPort`, keeps only the
    /// sockets bound to that port. Throws `SystemError` (malformed, naming the line) for a line without
    /// the layout above or with addresses of the other family.
    public init(parsing text: String, family: AddressFamily, localPort: UInt16? = nil) throws(SystemError) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true)
            if fields.isEmpty || fields[0] == "sl" { continue }
            guard fields.count >= 4, fields[0].last == ":",
                  let local = Self.endpoint(fields[1], family: family) else {
                throw SystemError.malformed("socket table", "\"\(line)\"")
            }
            if let localPort, local.port != localPort { continue }
            guard let remote = Self.endpoint(fields[2], family: family),
                  fields[3].count == 2, let state = Self.hex(fields[3], as: UInt8.self) else {
                throw SystemError.malformed("socket table", "\"\(line)\"")
            }
            entries.append(Entry(localAddress: local.address, localPort: local.port, remoteAddress: remote.address,
                                 remotePort: remote.port, state: state))
        }
        self.entries = entries
    }

    /// "ADDRESS:PORT" with the address words described in the file comment; nil if malformed.
    private static func endpoint(_ text: Substring, family: AddressFamily) -> (address: InetAddress, port: UInt16)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let words = family == .v4 ? 1 : 4
        guard parts.count == 2, parts[0].count == 8 * words, parts[1].count == 4,
              let port = hex(parts[1], as: UInt16.self) else { return nil }
        var values: [UInt32] = []
        var start = parts[0].startIndex
        for _ in 0..<words {
            let end = parts[0].index(start, offsetBy: 8)
            // The word's memory holds the address bytes in network order: read it as big-endian.
            guard let word = hex(parts[0][start..<end], as: UInt32.self) else { return nil }
            values.append(UInt32(bigEndian: word))
            start = end
        }
        switch family {
        case .v4:
            return (.v4(IPv4Address(values[0])), port)
        case .v6:
            let high = UInt64(values[0]) << 32 | UInt64(values[1])
            let low = UInt64(values[2]) << 32 | UInt64(values[3])
            return (.v6(IPv6Address(high: high, low: low)), port)
        }
    }

    /// Hex digits only (no sign or prefix) as an unsigned integer; nil otherwise.
    private static func hex<Value: FixedWidthInteger & UnsignedInteger>(_ text: Substring, as type: Value.Type) -> Value? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0)
                                                     || (0x61...0x66).contains($0) }) else { return nil }
        return Value(text, radix: 16)
    }
}

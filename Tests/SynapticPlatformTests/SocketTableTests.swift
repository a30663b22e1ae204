// Socket tables: /proc/net/{tcp,tcp6,udp,udp6} text as the kernel writes it (samples captured from a
// namespace with socat listeners on 1.0.0.5 and 2001:2a:1::5), and the live files against sockets this
// test opens, in the host namespace and from a thread inside another one.

import Glibc
import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite struct SocketTableTests {
    // socat TCP4-LISTEN:5001,bind=1.0.0.5 with one accepted connection from 1.0.0.5:38440.
    static let tcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
           0: 05000001:1389 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 442498 1 00000000ea895b5f 100 0 0 10 0                    
           1: 05000001:1389 05000001:9628 01 00000000:00000000 00:00000000 00000000     0        0 442510 1 00000000faf6684d 20 0 0 10 -1                    
           2: 05000001:9628 05000001:1389 01 00000000:00000000 00:00000000 00000000     0        0 442509 2 00000000ba4b13f3 20 0 0 10 -1                    

        """
    // TCP6-LISTEN:5005,bind=[2001:2a:1::5] and TCP6-LISTEN:5002,bind=[::].
    static let tcp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 2A000120000001000000000005000000:138D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 443613 1 00000000564b783c 100 0 0 10 0
           1: 00000000000000000000000000000000:138A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 443610 1 0000000024daf851 100 0 0 10 0

        """
    // UDP4-RECV:5003 (0.0.0.0, unconnected) and a client connected to 1.0.0.5:5003.
    static let udp = """
           sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
          827: 05000001:CA20 05000001:138B 01 00000000:00000000 00:00000000 00000000     0        0 443725 2 00000000a98148aa 0        
         3238: 00000000:138B 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 443616 2 0000000070cf0326 0        

        """
    // UDP6-RECV:5004,bind=[2001:2a:1::5].
    static let udp6 = """
          sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
         3239: 2A000120000001000000000005000000:138C 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 442501 2 000000005f16f813 0

        """
    static let lsi = InetAddress("1.0.0.5")!
    static let hit = InetAddress("2001:2a:1::5")!
    static let any4 = InetAddress("0.0.0.0")!
    static let any6 = InetAddress("::")!

    @Test func tcpListenerAndConnectionsOverIPv4() throws {
        let table = try SocketTable(parsing: Self.tcp, family: .v4)
        #expect(table.entries == [
            .init(localAddress: Self.lsi, localPort: 5001, remoteAddress: Self.any4, remotePort: 0, state: 0x0A),
            .init(localAddress: Self.lsi, localPort: 5001, remoteAddress: Self.lsi, remotePort: 38440, state: 0x01),
            .init(localAddress: Self.lsi, localPort: 38440, remoteAddress: Self.lsi, remotePort: 5001, state: 0x01),
        ])
        #expect(table.entries.map(\.isListening) == [true, false, false])
        let port = try SocketTable(parsing: Self.tcp, family: .v4, localPort: 38440)
        #expect(port.entries.map(\.remotePort) == [5001])
        #expect(try SocketTable(parsing: Self.tcp, family: .v4, localPort: 1).entries.isEmpty)
    }

    @Test func ipv6AddressesAreWordsInNetworkOrder() throws {
        let table = try SocketTable(parsing: Self.tcp6, family: .v6)
        #expect(table.entries.map(\.localAddress) == [Self.hit, Self.any6])
        #expect(table.entries.map(\.localPort) == [5005, 5002])
        #expect(table.entries.allSatisfy { $0.isListening && $0.remoteAddress == Self.any6 && $0.remotePort == 0 })
        let udp6 = try SocketTable(parsing: Self.udp6, family: .v6)
        #expect(udp6.entries == [.init(localAddress: Self.hit, localPort: 5004, remoteAddress: Self.any6, remotePort: 0,
                                       state: 0x07)])
    }

    @Test func udpSocketsUnconnectedAndConnected() throws {
        let table = try SocketTable(parsing: Self.udp, family: .v4)
        #expect(table.entries == [
            .init(localAddress: Self.lsi, localPort: 51744, remoteAddress: Self.lsi, remotePort: 5003, state: 0x01),
            .init(localAddress: Self.any4, localPort: 5003, remoteAddress: Self.any4, remotePort: 0, state: 0x07),
        ])
        #expect(try SocketTable(parsing: "  sl  local_address rem_address   st\n", family: .v4).entries.isEmpty)
        #expect(try SocketTable(parsing: "", family: .v6).entries.isEmpty)
    }

    @Test func malformedLinesAreErrors() {
        let header = "  sl  local_address rem_address   st tx_queue\n"
        for line in ["   0: 05000001:1389 00000000:0000", "   0: 0500001:1389 00000000:0000 0A 0",
                     "   0: 05000001:138 00000000:0000 0A 0", "   0 05000001:1389 00000000:0000 0A 0",
                     "   0: 05000001:1389 00000000:0000 A 0", "   0: 05000001:1389 00000000:0000 0G 0",
                     "   0: +5000001:1389 00000000:0000 0A 0", "   0: 05000001-1389 00000000:0000 0A 0",
                     "   0: 05000001:1389 0000000:00000 0A 0", "   0: 05000001:1389:1 00000000:0000 0A 0"] {
            #expect(throws: SystemError.self, "\(line)") { try SocketTable(parsing: header + line + "\n", family: .v4) }
        }
        // The other family's layout is malformed too.
        #expect { try SocketTable(parsing: Self.tcp6, family: .v4) } throws: { ($0 as? SystemError)?.isMalformedReply == true }
        #expect(throws: SystemError.self) { try SocketTable(parsing: Self.udp, family: .v6) }
    }

    /// A TCP socket listening on `address` (port 0: the kernel picks one); returns it and its port.
    static func listen(_ address: SocketAddress) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(address.family.rawValue, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NetnsError("socket failed") }
        var storage = sockaddr_storage()
        var length = withUnsafeMutableBytes(of: &storage) { address.write(sockaddr: $0.baseAddress!) }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, Glibc.listen(fd, 1) == 0 else {
            close(fd)
            throw NetnsError("bind/listen failed")
        }
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = withUnsafeBytes(of: &storage) { SocketAddress(sockaddr: $0.baseAddress!, length: Int(length))?.port }
        return (fd, port ?? 0)
    }

    @Test func liveTablesShowThisProcessSockets() throws {
        let (fd, port) = try Self.listen(SocketAddress(InetAddress("127.0.0.1")!, port: 0))
        defer { close(fd) }
        let udp = try UDPSocket(bindingTo: SocketAddress(Self.any6, port: 0))
        defer { udp.close() }
        let udpPort = try udp.localAddress().port
        let listeners = try SocketTable.read(.tcp, family: .v4, localPort: port).entries
        #expect(listeners == [.init(localAddress: InetAddress("127.0.0.1")!, localPort: port, remoteAddress: Self.any4,
                                    remotePort: 0, state: SocketTable.listenState)])
        #expect(try SocketTable.read(.udp, family: .v6, localPort: udpPort).entries.map(\.localAddress) == [Self.any6])
        #expect(try SocketTable.read(.tcp, family: .v6, localPort: port).entries.isEmpty)
    }

    /// The files are read per thread: a thread inside a fresh namespace sees only that namespace's sockets.
    @Test(.enabled(if: NetworkNamespace.isAvailable, Comment(rawValue: NetworkNamespace.skipReason)))
    func aThreadInAnotherNamespaceSeesItsSockets() throws {
        let (outside, outsidePort) = try Self.listen(SocketAddress(Self.any4, port: 0))
        defer { close(outside) }
        try NetworkNamespace.withFresh(prefix: "synproc") { namespace in
            try namespace.run {
                #expect(try SocketTable.read(.tcp, family: .v4, localPort: outsidePort).entries.isEmpty)
                let (inside, port) = try Self.listen(SocketAddress(Self.any6, port: outsidePort))
                defer { close(inside) }
                #expect(port == outsidePort)
                #expect(try SocketTable.read(.tcp, family: .v6).entries.map(\.localPort) == [port])
                #expect(try SocketTable.read(.tcp, family: .v4).entries.isEmpty)
                #expect(try SocketTable.read(.udp, family: .v4).entries.isEmpty)
            }
        }
    }
}

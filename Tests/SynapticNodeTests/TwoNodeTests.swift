// Real hosts: `synaptic up` in network namespaces joined by veth pairs, traffic through the TUNs, the
// status CLI against the running nodes, and SIGTERM. Needs root (creates namespaces) and ping.
import Foundation
import Glibc
import HIPCrypto
import HIPWire
import SynapticDataPlane
import SynapticNode
import SynapticPlatform
import SynapticTestSupport
import Synchronization
import Testing

@Suite(.serialized) struct TwoNodeTests {
    static let pingAvailable = ["/usr/bin/ping", "/bin/ping"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    static let enabled = NetworkNamespace.isAvailable && pingAvailable
    static let skipReason = NetworkNamespace.isAvailable
        ? "needs ping (Debian package iputils-ping)" : NetworkNamespace.skipReason
    static let socatAvailable = ["/usr/bin/socat", "/bin/socat"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    static let socatSkipReason = enabled ? "needs socat (Debian package socat)" : skipReason

    /// A host under test: its key, configuration and log in the scratch directory, and its status socket
    /// there too, unless it names its TUN (`tun`): then the default one, /run/synaptic/<tun>.sock.
    struct Host {
        let name: String
        let identity: HostIdentity
        let directory: String
        let tun: String?

        init(_ name: String, in directory: String, tun: String? = nil) throws {
            self.name = name
            self.directory = directory
            self.tun = tun
            identity = try HostIdentity.generate(.ecdsaP256)
            try identity.save(path: "\(directory)/\(name).key")
        }

        var hit: String { identity.hit.description }
        var lsi: String { IPAddress.v4(LSI.forHIT(identity.hit)).description }
        var config: String { "\(directory)/\(name).toml" }
        var log: String { "\(directory)/\(name).log" }
        var socket: String { tun.map { "/run/synaptic/\($0).sock" } ?? "\(directory)/\(name).sock" }

        /// Writes the configuration: `peers` as (host, locator) pairs, extra TOML, and `[dataplane] workers`
        /// when given (nil: the node's default).
        func configure(peers: [(Host, String)], extra: String = "", workers: Int? = TwoNodeTests.forcedWorkers) throws {
            var text = "[identity]\nkey = \"\(name).key\"\n"
            text += tun.map { "[tun]\nname = \"\($0)\"\n" } ?? "[status]\nsocket = \"\(name).sock\"\n"
            text += "\(extra)\n"
            if let workers { text += "[dataplane]\nworkers = \(workers)\n" }
            for (peer, locator) in peers {
                text += "[[peers]]\nhit = \"\(peer.hit)\"\nname = \"\(peer.name)\"\nlocators = [\"\(locator)\"]\n"
            }
            try text.write(toFile: config, atomically: true, encoding: .utf8)
        }

        /// Starts `synaptic up` in `namespace` (stderr to the log) and waits for its status socket.
        /// `prefix` runs first in the same shell (e.g. to drop privileges with setpriv).
        func start(in namespace: NetworkNamespace, prefix: String = "exec") throws -> RunningProcess {
            let binary = try CLITests.executable().path
            let process = try namespace.spawn(["sh", "-c", "\(prefix) '\(binary)' up '\(config)' 2>'\(log)'"])
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) {
                guard process.isRunning else { throw NetnsError("\(name) exited: \(logText)") }
                usleep(50_000)
            }
            guard FileManager.default.fileExists(atPath: socket) else { throw NetnsError("\(name) did not start: \(logText)") }
            return process
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func status() throws -> NodeStatus {
            let output = try CLITests.run(["status", "--socket", socket, "--json"])
            guard output.status == 0 else { throw NetnsError("status of \(name): \(output.stderr)") }
            return try JSONDecoder().decode(NodeStatus.self, from: Data(output.stdout.utf8))
        }
    }

    /// `SYNAPTIC_TEST_WORKERS=n` runs every node of these tests with `[dataplane] workers = n`.
    static let forcedWorkers = ProcessInfo.processInfo.environment["SYNAPTIC_TEST_WORKERS"].flatMap { Int($0) }

    /// Runs `body` with two fresh namespaces joined by a veth (198.18.0.1/24 ↔ 198.18.0.2/24) and hosts
    /// a and b (keys in `scratch`) configured as each other's peer by those addresses (`extraB`: TOML for b);
    /// not started. Unless `SYNAPTIC_TEST_WORKERS` says otherwise, b seals and opens on 2 workers and a on
    /// the default, so both the parallel and (on small machines) the single-thread stage run. The namespaces are removed afterwards, on every path.
    static func withTwoHosts(in scratch: CLITests.Scratch, extraB: String = "",
                             _ body: (_ namespaces: [NetworkNamespace], _ a: Host, _ b: Host) throws -> Void) throws {
        try NetworkNamespace.withFresh(count: 2, prefix: "synnode") { namespaces in
            _ = try VethPair.connect(namespaces[0], namespaces[1], addressesA: ["198.18.0.1/24"],
                                     addressesB: ["198.18.0.2/24"])
            let a = try Host("a", in: scratch.directory)
            let b = try Host("b", in: scratch.directory)
            try a.configure(peers: [(b, "198.18.0.2")])
            try b.configure(peers: [(a, "198.18.0.1")], extra: extraB, workers: forcedWorkers ?? 2)
            try body(namespaces, a, b)
        }
    }

    static func ping(_ namespace: NetworkNamespace, _ address: String) throws -> ProcessOutput {
        try namespace.execute(["ping", "-c", "3", "-i", "0.2", "-W", "3", address], timeout: 30)
    }

    /// Sends each payload as one UDP datagram from `namespace` to `destination`.
    static func send(_ payloads: [[UInt8]], from namespace: NetworkNamespace, to destination: SocketAddress) throws {
        try namespace.run {
            let socket = try UDPSocket(bindingTo: SocketAddress(.v4(IPv4Address(0)), port: 0))
            defer { socket.close() }
            let memory = PacketBatch(capacity: 1, bufferSize: 65536)
            let batch = DatagramBatch(capacity: 1)
            for payload in payloads {
                batch.removeAll()
                batch.append(copying: payload, into: memory, to: destination)
                _ = try socket.send(batch)
            }
        }
    }

    /// An HTTP/1.0 GET to 127.0.0.1:`port` from inside `namespace`; the whole response.
    static func httpGet(_ path: String, port: UInt16, in namespace: NetworkNamespace) throws -> String {
        try namespace.run {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw NetnsError("socket failed") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw NetnsError("connect to port \(port) failed") }
            let request = Array("GET \(path) HTTP/1.0\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            var response: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard count > 0 else { break }
                response += chunk[..<count]
            }
            return String(decoding: response, as: UTF8.self)
        }
    }

    /// Sends `payload` in one datagram from a UDP socket connected to `destination` inside `namespace`
    /// and returns the first datagram that comes back on it (within 10 s).
    static func udpExchange(_ payload: String, with destination: SocketAddress, in namespace: NetworkNamespace) throws -> String {
        try namespace.run {
            let fd = socket(destination.family.rawValue, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { throw NetnsError("socket failed") }
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var storage = sockaddr_storage()
            let length = withUnsafeMutableBytes(of: &storage) { destination.write(sockaddr: $0.baseAddress!) }
            let connected = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
            }
            guard connected == 0 else { throw NetnsError("connect to \(destination) failed") }
            let request = Array(payload.utf8)
            guard request.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
                throw NetnsError("send to \(destination) failed")
            }
            var reply = [UInt8](repeating: 0, count: 2048)
            let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { throw NetnsError("no answer from \(destination)") }
            return String(decoding: reply[..<count], as: UTF8.self)
        }
    }

    /// Waits until a `transport` socket of `family` is bound to `port` in `namespace` (a server started).
    static func waitForSocket(_ transport: SocketTable.Transport, _ family: AddressFamily, port: UInt16,
                              in namespace: NetworkNamespace) throws {
        for _ in 0..<100 {
            if try namespace.run({ try !SocketTable.read(transport, family: family, localPort: port).entries.isEmpty }) {
                return
            }
            usleep(50_000)
        }
        throw NetnsError("nothing bound to \(transport) port \(port)")
    }

    /// The UDP payloads of the IPv4 packets in a classic pcap file of Ethernet frames.
    static func udpPayloads(pcap path: String) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func word(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24 }
        var payloads: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = word(offset + 8)
            let frame = offset + 16
            offset = frame + length
            guard offset <= bytes.count, length > 14 + 20 + 8 else { break }
            let ip = frame + 14
            let udp = ip + Int(bytes[ip] & 0x0F) * 4
            payloads.append(Array(bytes[(udp + 8)..<offset]))
        }
        return payloads
    }

    @Test(.enabled(if: enabled, Comment(rawValue: skipReason)), .timeLimit(.minutes(2)))
    func pingOverHITAndLSIStatusAndCleanStop() throws {
        let scratch = try CLITests.Scratch()
        try NetworkNamespace.withFresh(count: 2, prefix: "synnode") { namespaces in
            let veth = try VethPair.connect(namespaces[0], namespaces[1], addressesA: ["198.18.0.1/24"],
                                            addressesB: ["198.18.0.2/24"])
            let a = try Host("a", in: scratch.directory)
            let b = try Host("b", in: scratch.directory)
            try a.configure(peers: [(b, "198.18.0.2")],
                            extra: "[metrics]\nlisten = \"127.0.0.1:9100\"\n[keylog]\npath = \"a.keylog\"")
            try b.configure(peers: [(a, "198.18.0.1:10500")])
            let processA = try a.start(in: namespaces[0])
            let processB = try b.start(in: namespaces[1])
            #expect(a.logText.contains("synaptic up: HIT \(a.hit), LSI \(a.lsi), TUN hip0, UDP 10500, raw HIP on"))

            // The first packet starts the base exchange; it is queued, not lost, so all three pings answer.
            let hit = try Self.ping(namespaces[0], b.hit)
            #expect(hit.status == 0, "\(hit.standardOutput)\(hit.standardError)\n\(a.logText)\n\(b.logText)")
            #expect(hit.standardOutput.contains("3 received"))
            let lsi = try Self.ping(namespaces[1], a.lsi)
            #expect(lsi.status == 0, "\(lsi.standardOutput)\(lsi.standardError)")

            let statusA = try a.status()
            let association = try #require(statusA.associations.first)
            #expect(statusA.associations.count == 1)
            #expect(association.name == "b" && association.hit == b.hit && association.lsi == b.lsi)
            #expect(association.state == "ESTABLISHED" && association.role == "initiator")
            #expect(association.hipTransport == "raw")   // B answers raw HIP: no UDP fallback
            #expect(association.suite == "AES-128-GCM")
            #expect(association.locator?.hasPrefix("198.18.0.2") == true)
            #expect(association.packetsOut >= 6 && association.packetsIn >= 6)
            #expect(association.latencyMilliseconds != nil && association.lastExchange != nil)
            #expect(association.drops.isEmpty)
            let statusB = try b.status()
            #expect(statusB.associations.first?.spiIn == association.spiOut)
            #expect(statusB.associations.first?.role == "responder" && statusB.associations.first?.hipTransport == "raw")
            let metrics = try Self.httpGet("/metrics", port: 9100, in: namespaces[0])
            #expect(metrics.hasPrefix("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4"))
            #expect(metrics.contains("synaptic_associations{state=\"ESTABLISHED\"} 1\n"))
            #expect(metrics.contains("synaptic_esp_packets_total{peer=\"\(b.hit)\",name=\"b\",direction=\"out\"} "))
            #expect(metrics.contains("synaptic_hip_packets_total{direction=\"sent\",type=\"i1\"} "))
            #expect(try Self.httpGet("/other", port: 9100, in: namespaces[0]).hasPrefix("HTTP/1.0 404"))
            let table = try CLITests.run(["status", "--config", b.config])
            #expect(table.status == 0)
            #expect(table.stdout.contains("ESTABLISHED  raw HIP  ") && table.stdout.contains(a.hit), "\(table.stdout)")

            // Hostile datagrams to B's port are dropped and counted; the association keeps working.
            let capture = scratch.path("esp.pcap")
            let tshark = try namespaces[1].spawn(["tshark", "-q", "-i", veth.nameB, "-c", "3", "-F", "pcap", "-w", capture,
                                                  "-f", "udp port 10500 and src host 198.18.0.1"])
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: capture) { usleep(50_000) }
            usleep(300_000)
            #expect(try Self.ping(namespaces[0], b.hit).status == 0)
            for _ in 0..<100 where tshark.isRunning { usleep(50_000) }
            let esp = try #require(try Self.udpPayloads(pcap: capture).first { $0.count > 8 && $0[0..<4] != [0, 0, 0, 0] })

            // tshark decrypts the captured ESP with the keylog used as its esp_sa table file (the "# HIP"
            // line is a comment there).
            let keyLog = try String(contentsOfFile: scratch.path("a.keylog"), encoding: .utf8)
            #expect(keyLog.split(separator: "\n").map { $0.hasPrefix("# HIP local_hit=\(a.hit) peer_hit=\(b.hit) ") }
                    == [true, false, false])
            try FileManager.default.createDirectory(atPath: scratch.path("wireshark"), withIntermediateDirectories: false)
            try keyLog.write(toFile: scratch.path("wireshark/esp_sa"), atomically: true, encoding: .utf8)
            let decoded = try namespaces[1].execute(["env", "XDG_CONFIG_HOME=\(scratch.directory)", "tshark", "-r", capture,
                                                     "-o", "esp.enable_encryption_decode:TRUE",
                                                     "-d", "udp.port==10500,udpencap"], timeout: 60)
            #expect(decoded.standardOutput.contains("Echo (ping) request"), "\(decoded.standardOutput)\(decoded.standardError)")
            #expect(!decoded.standardError.contains("Error loading table"), "\(decoded.standardError)")
            var unknownSPI = esp
            unknownSPI[0] ^= 0x80
            var forged = esp
            forged[forged.count - 1] ^= 1
            var ahead = forged
            ahead[7] &+= 100
            let hipGarbage: [UInt8] = [0, 0, 0, 0] + (0..<60).map { UInt8(truncatingIfNeeded: $0 &* 37) }
            let toB = SocketAddress(.v4(IPv4Address(198, 18, 0, 2)), port: 10500)
            try Self.send([esp, esp, unknownSPI, ahead, [0xFF], [1, 2, 3], [UInt8](repeating: 7, count: 3000), hipGarbage],
                          from: namespaces[0], to: toB)
            usleep(200_000)
            #expect(try Self.ping(namespaces[0], b.hit).status == 0)
            let afterAttack = try b.status()
            #expect(afterAttack.associations.first?.drops["replay"] == 2)
            #expect(afterAttack.associations.first?.drops["authentication_failed"] == 1)
            #expect(afterAttack.drops["unknown_spi"] == 1)
            #expect(afterAttack.drops["nat_keepalive"] == 1)
            #expect(afterAttack.drops["invalid_datagram"] == 1)
            #expect(afterAttack.drops["oversized"] == 1)
            #expect(afterAttack.rejections["malformed"] == 1)
            #expect(afterAttack.associations.first?.state == "ESTABLISHED")

            // SIGTERM: CLOSE to the peer, TUN removed, exit 0.
            processA.stop()
            #expect(processA.exitStatus == 0, "\(a.logText)")
            #expect(a.logText.contains("association up: b (\(b.hit)) via 198.18.0.2"))
            #expect(a.logText.contains("synaptic stopped"))
            #expect(throws: (any Error).self) { try namespaces[0].ip(["link", "show", "hip0"]) }
            #expect(!FileManager.default.fileExists(atPath: a.socket))
            let gone = try CLITests.run(["status", "--socket", a.socket])
            #expect(gone.status != 0 && gone.stderr.contains("no synaptic node is running"))
            processB.stop()
            #expect(processB.exitStatus == 0)
            #expect(b.logText.contains("association down: a (\(a.hit))"))
        }
    }

    /// A peers' applications start flows to our LSI (BEET brings them as IPv6 between the HITs): a TCP4
    /// listener and a UDP4 socket bound to B's LSI get them as IPv4 from A's LSI, and the answers on
    /// the same flows reach A; a dual-stack `::` listener gets such a flow as IPv6 from A's HIT.
    @Test(.enabled(if: enabled && socatAvailable, Comment(rawValue: socatSkipReason)), .timeLimit(.minutes(2)))
    func flowsThePeerStartsToOurLSI() throws {
        let scratch = try CLITests.Scratch()
        try Self.withTwoHosts(in: scratch) { namespaces, a, b in
            let processes = [try a.start(in: namespaces[0]), try b.start(in: namespaces[1])]

            // TCP: B's listener answers with the peer address it saw and the SHA-256 of what it received.
            var generator = SeededGenerator(seed: 11)
            let payload = generator.bytes(1 << 20)
            let payloadPath = scratch.path("payload")
            try Data(payload).write(to: URL(fileURLWithPath: payloadPath))
            let digest = HashAlgorithm.sha256.digest(payload).map { String(format: "%02x", $0) }.joined()
            _ = try namespaces[1].spawn(["socat", "TCP4-LISTEN:5001,bind=\(b.lsi)", "SYSTEM:echo \"$SOCAT_PEERADDR\"; sha256sum"])
            try Self.waitForSocket(.tcp, .v4, port: 5001, in: namespaces[1])
            let tcp = try namespaces[0].execute(["sh", "-c", "socat -t 20 - TCP4:\(b.lsi):5001 < '\(payloadPath)'"], timeout: 60)
            #expect(tcp.status == 0 && tcp.standardOutput == "\(a.lsi)\n\(digest)  -\n",
                    "\(tcp.standardOutput)\(tcp.standardError)\n\(a.logText)\n\(b.logText)")

            // UDP: the datagram reaches B's UDP4 socket from A's LSI; its answer reaches A's socket.
            _ = try namespaces[1].spawn(["socat", "-T", "20", "UDP4-RECVFROM:5002,bind=\(b.lsi)",
                                         "SYSTEM:read line; echo \"$line from $SOCAT_PEERADDR\""])
            try Self.waitForSocket(.udp, .v4, port: 5002, in: namespaces[1])
            let destination = SocketAddress(InetAddress(b.lsi)!, port: 5002)
            #expect(try Self.udpExchange("hello\n", with: destination, in: namespaces[0]) == "hello from \(a.lsi)\n")

            // A dual-stack listener on :: is an IPv6 socket: the flow A starts to B's LSI arrives from A's HIT.
            _ = try namespaces[1].spawn(["socat", "TCP6-LISTEN:5003,bind=[::],ipv6only=0", "SYSTEM:echo \"$SOCAT_PEERADDR\""])
            try Self.waitForSocket(.tcp, .v6, port: 5003, in: namespaces[1])
            let dual = try namespaces[0].execute(["sh", "-c", "socat -t 20 - TCP4:\(b.lsi):5003 < /dev/null"], timeout: 60)
            let seen = dual.standardOutput.trimmingCharacters(in: CharacterSet(charactersIn: "[]\n"))
            #expect(IPv6Address(seen) == IPv6Address(a.hit), "\(dual.standardOutput)\(dual.standardError)")

            let association = try #require(try b.status().associations.first)
            #expect(association.drops.isEmpty && association.packetsIn > 500)
            for process in processes { process.stop() }
            #expect(processes.allSatisfy { $0.exitStatus == 0 })
        }
    }

    @Test(.enabled(if: enabled, Comment(rawValue: skipReason)), .timeLimit(.minutes(2)))
    func ipv6LocatorsWithoutRawHIPAndAPeerRefusedByPolicy() throws {
        let scratch = try CLITests.Scratch()
        try NetworkNamespace.withFresh(count: 3, prefix: "synnode") { namespaces in
            _ = try VethPair.connect(namespaces[0], namespaces[1], addressesA: ["fd00:1::1/64"], addressesB: ["fd00:1::2/64"])
            _ = try VethPair.connect(namespaces[2], namespaces[1], addressesA: ["fd00:2::3/64"], addressesB: ["fd00:2::2/64"])
            let a = try Host("a", in: scratch.directory)
            let b = try Host("b", in: scratch.directory)
            let c = try Host("c", in: scratch.directory)
            try a.configure(peers: [(b, "[fd00:1::2]:10500")], extra: "[transport]\nraw_hip = false")
            try b.configure(peers: [(a, "fd00:1::1")], extra: "[transport]\nraw_hip = false")
            try c.configure(peers: [(b, "fd00:2::2")])
            let processes = [try a.start(in: namespaces[0]), try b.start(in: namespaces[1]), try c.start(in: namespaces[2])]
            #expect(a.logText.contains("raw HIP off"))

            let lsi = try Self.ping(namespaces[0], b.lsi)
            #expect(lsi.status == 0, "\(lsi.standardOutput)\(lsi.standardError)\n\(a.logText)\n\(b.logText)")
            #expect(try a.status().associations.first?.locator == "fd00:1::2 udp/10500")

            // C is not one of B's peers: B drops its I1s, C gets no association and its packets are
            // dropped (counted) once the exchange fails.
            let refused = try namespaces[2].execute(["ping", "-c", "2", "-i", "0.2", "-W", "1", b.hit], timeout: 30)
            #expect(refused.status != 0)
            #expect(try b.status().rejections["blocked_by_policy", default: 0] >= 1)
            #expect(try b.status().associations.count == 1)
            #expect(try c.status().associations.allSatisfy { $0.state != "ESTABLISHED" })

            // SIGHUP with a broken file keeps the running settings; with C added, C gets through.
            try "[[peers]]\nhit = \"nonsense\"\n".write(toFile: b.config, atomically: true, encoding: .utf8)
            kill(processes[1].processIdentifier, SIGHUP)
            usleep(300_000)
            #expect(b.logText.contains("reload: \(b.config): peers[0].hit"), "\(b.logText)")
            #expect(b.logText.contains("keeping the running configuration"))
            try b.configure(peers: [(a, "fd00:1::1"), (c, "fd00:2::3")], extra: "[transport]\nraw_hip = false")
            kill(processes[1].processIdentifier, SIGHUP)
            usleep(300_000)
            #expect(b.logText.contains("reload: peer added: c \(c.hit)"), "\(b.logText)")
            let admitted = try namespaces[2].execute(["ping", "-c", "1", "-w", "20", b.hit], timeout: 30)
            #expect(admitted.status == 0, "\(admitted.standardOutput)\n\(b.logText)\n\(c.logText)")
            #expect(try b.status().associations.filter { $0.state == "ESTABLISHED" }.count == 2)
            for process in processes { process.stop() }
            #expect(processes.allSatisfy { $0.exitStatus == 0 })
        }
    }

    /// As user nobody holding only CAP_NET_ADMIN (+ CAP_NET_RAW on A): both run, B says raw HIP is off.
    /// (/dev/net/tun may be 0600 on the test machine; each node gets a 0666 node bound over it in its
    /// own mount namespace, which `ip netns exec` creates, as a default Debian system has.)
    @Test(.enabled(if: enabled, Comment(rawValue: skipReason)), .timeLimit(.minutes(2)))
    func runsAsAnUnprivilegedUserWithCapabilities() throws {
        let scratch = try CLITests.Scratch()
        chmod(scratch.directory, 0o777)
        let tun = scratch.path("tun")   // /dev/net/tun: character device 10, 200 (glibc makedev for small numbers)
        #expect(mknod(tun, S_IFCHR | 0o666, 10 << 8 | 200) == 0)
        chmod(tun, 0o666)
        try Self.withTwoHosts(in: scratch) { namespaces, a, b in
            for host in [a, b] { chown("\(scratch.directory)/\(host.name).key", 65534, 65534) }
            func prefix(_ capabilities: String) -> String {
                "mount --bind '\(tun)' /dev/net/tun && exec setpriv --reuid=65534 --regid=65534 --clear-groups "
                    + "--inh-caps=\(capabilities) --ambient-caps=\(capabilities)"
            }
            let processA = try a.start(in: namespaces[0], prefix: prefix("+net_admin,+net_raw"))
            let processB = try b.start(in: namespaces[1], prefix: prefix("+net_admin"))
            let procStatus = try String(contentsOfFile: "/proc/\(processA.processIdentifier)/status", encoding: .utf8)
            #expect(procStatus.contains("Uid:\t65534\t65534\t65534\t65534"))
            #expect(procStatus.contains("CapEff:\t0000000000003000"))
            #expect(a.logText.contains("raw HIP on"))
            #expect(b.logText.contains("raw HIP off (no CAP_NET_RAW): HIP over UDP only"))
            let ping = try Self.ping(namespaces[1], a.hit)
            #expect(ping.status == 0, "\(ping.standardOutput)\n\(a.logText)\n\(b.logText)")
            let association = try #require(try a.status().associations.first)
            #expect(association.state == "ESTABLISHED" && association.hipTransport == "udp")   // B has no raw socket
            processA.stop()
            processB.stop()
            #expect(processA.exitStatus == 0 && processB.exitStatus == 0, "\(a.logText)\n\(b.logText)")
        }
    }

    /// A is killed (no CLOSE) and restarted with the same key: B still holds the old SAs. Traffic from B
    /// reaches A under an SPI A no longer knows, which makes A run a new base exchange; pings from B work
    /// again. Then, idle, the association is closed after B's unused association lifetime.
    @Test(.enabled(if: enabled, Comment(rawValue: skipReason)), .timeLimit(.minutes(2)))
    func restartAfterSIGKILLThenIdleClose() throws {
        let scratch = try CLITests.Scratch()
        try Self.withTwoHosts(in: scratch, extraB: "[timers]\nual_seconds = 3") { namespaces, a, b in
            let first = try a.start(in: namespaces[0])
            let processB = try b.start(in: namespaces[1])
            #expect(try Self.ping(namespaces[0], b.hit).status == 0)
            let before = try #require(try b.status().associations.first)

            kill(first.processIdentifier, SIGKILL)
            for _ in 0..<100 where first.isRunning { usleep(20_000) }
            let second = try a.start(in: namespaces[0])
            let resumed = try namespaces[1].execute(["ping", "-c", "3", "-i", "0.3", "-w", "15", a.hit], timeout: 30)
            #expect(resumed.status == 0, "\(resumed.standardOutput)\n\(a.logText)\n\(b.logText)")
            #expect(a.logText.contains("ESP with an unknown SPI from 198.18.0.2: starting a base exchange with b"))
            #expect(b.logText.contains("association replaced: a (\(a.hit))"))
            let after = try #require(try b.status().associations.first)
            #expect(after.state == "ESTABLISHED" && after.spiIn != before.spiIn && after.spiOut != before.spiOut)

            for _ in 0..<100 where !b.logText.contains("no traffic for") { usleep(100_000) }
            #expect(b.logText.contains("closing the association with a (\(a.hit)): no traffic for 3"), "\(b.logText)")
            second.stop()
            processB.stop()
            #expect(second.exitStatus == 0 && processB.exitStatus == 0)
        }
    }

    /// Both sides start at the same moment (crossing I1s); every ping of both is answered: queued packets
    /// are sent once the SAs exist, and ESP that overtakes the R2 inside the receiver waits for its SA.
    @Test(.enabled(if: enabled, Comment(rawValue: skipReason)), .timeLimit(.minutes(2)))
    func simultaneousStartLosesNothing() throws {
        let scratch = try CLITests.Scratch()
        try Self.withTwoHosts(in: scratch) { namespaces, a, b in
            let processes = [try a.start(in: namespaces[0]), try b.start(in: namespaces[1])]
            let targets = [(namespaces[0], b.hit), (namespaces[1], a.hit)]
            let results = Mutex<[Int: ProcessOutput]>([:])
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                let output = try? Self.ping(targets[index].0, targets[index].1)
                results.withLock { $0[index] = output }
            }
            for index in 0..<2 {
                let output = results.withLock { $0[index] }
                #expect(output?.standardOutput.contains("3 packets transmitted, 3 received") == true,
                        "\(output?.standardOutput ?? "no output")\n\(a.logText)\n\(b.logText)")
            }
            #expect(try a.status().associations.first?.state == "ESTABLISHED")
            for process in processes { process.stop() }
        }
    }
}

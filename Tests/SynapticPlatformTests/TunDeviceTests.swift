// TUN in a fresh namespace: configuration through rtnetlink (checked with our dump and with iproute2),
// traffic routed into the device read from its descriptor, packets written to it delivered to sockets,
// the virtio-net header option, removal on close, and the typed errors.

import CSynapticShims
import Glibc
import SynapticDataPlane
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite(needsNamespaces) struct TunDeviceTests {
    static let hit = IPv6Address("2001:20::1")!
    static let lsi = IPv4Address(1, 0, 0, 1)
    static let configuration = TunConfiguration(
        mtu: 1400,
        addresses: [IPPrefix(host: .v6(hit)), IPPrefix(host: .v4(lsi))],
        routes: [IPPrefix("2001:20::/28")!, IPPrefix("1.0.0.0/8")!])

    /// Reads packets from the TUN until `matches` accepts one (other traffic, e.g. MLD, is skipped).
    static func readPacket(from tun: TunDevice, matching matches: ([UInt8]) -> Bool) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_600)
        for _ in 0..<20 {
            guard try waitReadable(tun.fileDescriptor) else { return nil }
            while let length = try buffer.withUnsafeMutableBytes({ try tun.readPacket(into: $0) }) {
                let packet = Array(buffer[..<length])
                if matches(packet) { return packet }
            }
        }
        return nil
    }

    @Test func configuresAddressesRoutesMTUAndLink() throws {
        try NetworkNamespace.withFresh { namespace in
            let tun = try namespace.run { () throws -> TunDevice in
                let tun = try TunDevice(name: "syntest%d")
                try tun.configure(Self.configuration)
                return tun
            }
            defer { tun.close() }
            #expect(tun.name.hasPrefix("syntest"))

            let (link, addresses, routes4, routes6) = try namespace.run {
                let netlink = try RouteNetlink()
                return (try netlink.link(index: tun.index), try netlink.addresses(family: .v6) + netlink.addresses(family: .v4),
                        try netlink.routes(family: .v4), try netlink.routes(family: .v6))
            }
            #expect(link.name == tun.name)
            #expect(link.mtu == 1400)
            #expect(link.isUp)
            // Ours, plus the link-local address the kernel generates for a TUN (scope link, 253).
            let mine = addresses.filter { $0.interfaceIndex == tun.index && $0.scope != 253 }.map(\.prefix)
            #expect(Set(mine) == Set(Self.configuration.addresses))
            let hitFlags = addresses.first { $0.prefix == IPPrefix(host: .v6(Self.hit)) }?.flags ?? 0
            #expect(hitFlags & 0x202 == 0x202)  // IFA_F_NODAD | IFA_F_NOPREFIXROUTE, as requested
            let route4 = routes4.first { $0.destination == IPPrefix("1.0.0.0/8") }
            #expect(route4?.interfaceIndex == tun.index)
            #expect(route4?.preferredSource == .v4(Self.lsi))
            let route6 = routes6.first { $0.destination == IPPrefix("2001:20::/28") }
            #expect(route6?.interfaceIndex == tun.index)
            #expect(route6?.preferredSource == .v6(Self.hit))

            // Second path: iproute2 sees the same configuration.
            let linkText = try namespace.ip(["-o", "link", "show", "dev", tun.name])
            #expect(linkText.contains("mtu 1400") && linkText.contains(",UP"))
            let addressText = try namespace.ip(["-o", "addr", "show", "dev", tun.name])
            #expect(addressText.contains("inet 1.0.0.1/32") && addressText.contains("inet6 2001:20::1/128"))
            #expect(try namespace.ip(["-4", "route", "show", "1.0.0.0/8"]).contains("dev \(tun.name) proto static scope link src 1.0.0.1"))
            #expect(try namespace.ip(["-6", "route", "show", "2001:20::/28"]).contains("dev \(tun.name) proto static src 2001:20::1"))

            // Adding the same address again: EEXIST, named after the request.
            #expect {
                try namespace.run { try RouteNetlink().addAddress(IPPrefix(host: .v4(Self.lsi)), interfaceIndex: tun.index) }
            } throws: { error in
                (error as? SystemError)?.errno == EEXIST && (error as? SystemError)?.call == "RTM_NEWADDR"
            }

            // Closing the descriptor removes the interface.
            tun.close()
            #expect {
                try namespace.run { _ = try RouteNetlink().link(named: tun.name) }
            } throws: { ($0 as? SystemError)?.errno == ENODEV }
        }
    }

    @Test(arguments: [AddressFamily.v6, .v4])
    func datagramsRoutedIntoTheTunAreRead(family: AddressFamily) throws {
        try NetworkNamespace.withFresh { namespace in
            let (tun, socket) = try namespace.run {
                let tun = try TunDevice(name: "synrd0")
                try tun.configure(Self.configuration)
                let any: InetAddress = family == .v6 ? .v6(IPv6Address(high: 0, low: 0)) : .v4(IPv4Address(0))
                return (tun, try UDPSocket(bindingTo: SocketAddress(any, port: 0)))
            }
            defer { tun.close(); socket.close() }
            let peer = family == .v6 ? SocketAddress(InetAddress("2001:20::99")!, port: 4000)
                                     : SocketAddress(InetAddress("1.0.0.99")!, port: 4000)
            let source: InetAddress = family == .v6 ? .v6(Self.hit) : .v4(Self.lsi)
            let sender = try socket.localAddress()

            let memory = PacketBatch(capacity: 1)
            let out = DatagramBatch(capacity: 1)
            let payload = TestPackets.payload(index: 1, length: 100)
            out.append(copying: payload, into: memory, to: peer)
            #expect(try socket.send(out).sent == 1)

            let expected = TestPackets.udpPacket(from: SocketAddress(source, port: sender.port), to: peer, payload: payload)
            let packet = try Self.readPacket(from: tun) { packet in
                packet.count == expected.count && packet.last == expected.last && packet[0] >> 4 == expected[0] >> 4
            }
            let read = try #require(packet)
            // Compare everything but the fields the kernel chooses (IPv4 id and header checksum).
            if family == .v6 {
                #expect(read[0] >> 4 == 6)
                #expect(Array(read[4...]) == Array(expected[4...]))  // length, next header 17, hop limit 64, addresses, UDP
            } else {
                #expect(read[9] == 17)
                #expect(Array(read[12...]) == Array(expected[12...]))  // addresses, UDP header with checksum, payload
            }
        }
    }

    @Test(arguments: [AddressFamily.v6, .v4])
    func packetsWrittenToTheTunReachSockets(family: AddressFamily) throws {
        try NetworkNamespace.withFresh { namespace in
            let local = SocketAddress(family == .v6 ? .v6(Self.hit) : .v4(Self.lsi), port: 7000)
            let (tun, socket) = try namespace.run {
                let tun = try TunDevice(name: "synwr0")
                try tun.configure(Self.configuration)
                return (tun, try UDPSocket(bindingTo: local))
            }
            defer { tun.close(); socket.close() }
            let remote = SocketAddress(InetAddress(family == .v6 ? "2001:20::9" : "1.0.0.9")!, port: 5555)

            // Each packet gathered from two pieces (header, rest), as the outside path writes coalesced packets.
            let vectors = IOVectors(capacity: 2)
            func write(_ packet: [UInt8]) throws -> Bool {
                try packet.withUnsafeBytes { bytes in
                    vectors.removeAll()
                    vectors.append(UnsafeRawBufferPointer(rebasing: bytes[..<20]))
                    vectors.append(UnsafeRawBufferPointer(rebasing: bytes[20...]))
                    return try tun.write(vectors)
                }
            }
            var packets: [[UInt8]] = []
            for index in 0..<3 {
                packets.append(TestPackets.udpPacket(from: remote, to: local,
                                                     payload: TestPackets.payload(index: index, length: 50 + index)))
                #expect(try write(packets[index]))
            }

            let memory = PacketBatch(capacity: 8)
            let received = DatagramBatch(capacity: 8)
            received.receive(into: memory)
            var seen = 0
            while seen < 3, try waitReadable(socket.fileDescriptor) {
                try socket.receive(into: received)
                for index in 0..<received.count {
                    #expect(received.peer(at: index) == remote)
                    #expect(received.destination(at: index) == local.address)
                    #expect(received.interfaceIndex(at: index) == tun.index)
                    #expect(Array(received.packet(at: index)) == TestPackets.payload(index: seen, length: 50 + seen))
                    seen += 1
                }
            }
            #expect(seen == 3)

            // A packet that is not IP is refused with EINVAL.
            packets[0][0] = 0
            #expect { _ = try write(packets[0]) } throws: { ($0 as? SystemError)?.errno == EINVAL }
        }
    }

    /// With IFF_VNET_HDR and USO offered, a UDP_SEGMENT send into the TUN is read as one super-packet that
    /// SuperPacket splits into the datagrams; a USO super-packet written with its virtio-net header reaches
    /// the socket as datagrams.
    @Test func superPacketsBothWays() throws {
        try NetworkNamespace.withFresh { namespace in
            let local = SocketAddress(.v6(Self.hit), port: 7000)
            let (tun, socket) = try namespace.run {
                let tun = try TunDevice(name: "synvh0", options: .init(virtioNetHeader: true,
                                                                       offloads: [.checksum, .tso4, .tso6, .uso4, .uso6]))
                try tun.configure(Self.configuration)
                return (tun, try UDPSocket(bindingTo: local))
            }
            defer { tun.close(); socket.close() }
            #expect(VirtioNetHeader.length == Int(SYNAPTIC_VIRTIO_NET_HDR_LEN))

            let memory = PacketBatch(capacity: 8, bufferSize: 4096)
            let out = DatagramBatch(capacity: 1)
            let payload = TestPackets.payload(index: 4, length: 3000)
            let remote = SocketAddress(InetAddress("2001:20::7")!, port: 9)
            out.append(copying: payload, into: memory, to: remote, segmentSize: 1000)
            #expect(try socket.send(out).sent == 1)
            let read = try #require(try Self.readPacket(from: tun) { packet in
                packet.count > 40 && packet[VirtioNetHeader.length + 6] == 17
            })
            let header = try #require(read.withUnsafeBytes { VirtioNetHeader(loadingFrom: $0) })
            #expect(header.gsoType == VirtioNetHeader.gsoUDPL4 && header.gsoSize == 1000)
            let segments = try read.withUnsafeBytes { bytes in
                let superPacket = try SuperPacket(parsing: bytes, maximumSegmentLength: 2000)
                return (0..<superPacket.segmentCount).map { index in
                    Array(memory.buffer(at: 0)[..<superPacket.write(segment: index, into: memory.buffer(at: 0))])
                }
            }
            // Everything after the flow label (which the kernel picks) is what three plain sends would give.
            #expect(segments.map { Array($0[4...]) } == (0..<3).map {
                Array(TestPackets.udpPacket(from: local, to: remote, payload: Array(payload[($0 * 1000)..<($0 * 1000 + 1000)]))[4...])
            })

            // Back: 3 × 500 bytes from 2001:20::9 as one USO packet with the pseudo-header sum in its checksum.
            let sender = SocketAddress(InetAddress("2001:20::9")!, port: 5555)
            var whole = TestPackets.udpPacket(from: sender, to: local, payload: TestPackets.payload(index: 5, length: 1500))
            let pseudo = sender.address.bytes + local.address.bytes + [0, 0] + TestPackets.be16(1508) + [0, 0, 0, 17]
            whole.replaceSubrange(46..<48, with: TestPackets.be16(Int(~TestPackets.internetChecksum(pseudo))))
            var virtio = [UInt8](repeating: 0, count: VirtioNetHeader.length)
            virtio.withUnsafeMutableBytes {
                VirtioNetHeader(flags: VirtioNetHeader.needsChecksum, gsoType: VirtioNetHeader.gsoUDPL4, headerLength: 48,
                                gsoSize: 500, checksumStart: 40, checksumOffset: 6).store(to: $0)
            }
            let vectors = IOVectors(capacity: 2)
            let written = try virtio.withUnsafeBytes { header in
                try whole.withUnsafeBytes { packet in
                    vectors.append(header)
                    vectors.append(packet)
                    return try tun.write(vectors)
                }
            }
            #expect(written)
            let received = DatagramBatch(capacity: 8)
            received.receive(into: memory)
            var datagrams: [[UInt8]] = []
            while datagrams.count < 3, try waitReadable(socket.fileDescriptor) {
                try socket.receive(into: received)
                datagrams += (0..<received.count).map { Array(received.packet(at: $0)) }
            }
            let sent = TestPackets.payload(index: 5, length: 1500)
            #expect(datagrams == [Array(sent[..<500]), Array(sent[500..<1000]), Array(sent[1000...])])
        }
    }

    @Test func typedErrorsForBadNamesAndOptions() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.run {
                #expect { _ = try TunDevice(name: "a-name-that-is-too-long") } throws: { error in
                    let error = error as? SystemError
                    return error?.isInvalidArgument == true && error?.errno == nil && error?.call == "ioctl(TUNSETIFF)"
                }
                #expect { _ = try TunDevice(name: "bad/name") } throws: { error in
                    (error as? SystemError)?.errno == EINVAL && (error as? SystemError)?.call == "ioctl(TUNSETIFF)"
                }
                #expect { _ = try TunDevice(name: "synuso0", options: .init(virtioNetHeader: true, offloads: [.uso4])) }
                    throws: { ($0 as? SystemError)?.errno == EINVAL && ($0 as? SystemError)?.call == "ioctl(TUNSETOFFLOAD)" }
                #expect { _ = try TunDevice(name: "synoff0", options: .init(offloads: [.checksum])) }
                    throws: { ($0 as? SystemError)?.isInvalidArgument == true }
                let first = try TunDevice(name: "syndup0")
                defer { first.close() }
                #expect { _ = try TunDevice(name: "syndup0") } throws: { ($0 as? SystemError)?.errno == EBUSY }
            }
        }
    }
}

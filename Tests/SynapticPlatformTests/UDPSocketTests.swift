// UDP batches between two namespaces over veth, IPv4 and IPv6: one sendmmsg of 32 datagrams, received
// with few recvmmsg calls with the right sources, destinations and lengths; replies from the address a
// request came to (packet info on send); GSO/GRO; port in use.

import Glibc
import SynapticDataPlane
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite(needsNamespaces) struct UDPSocketTests {
    struct Lab {
        let a: NetworkNamespace
        let b: NetworkNamespace
        let addressA: [AddressFamily: InetAddress]
        let addressB: [AddressFamily: InetAddress]
    }

    /// Two namespaces joined by a veth pair: A has 198.18.1.1 and fd00:1::1; B has 198.18.1.2 and .3,
    /// fd00:1::2 and fd00:1::8000 (deprecated).
    static func withLab<T>(_ body: (Lab) throws -> T) throws -> T {
        try NetworkNamespace.withFresh(count: 2) { namespaces in
            let pair = try VethPair.connect(namespaces[0], namespaces[1],
                                            addressesA: ["198.18.1.1/24", "fd00:1::1/64"],
                                            addressesB: ["198.18.1.2/24", "198.18.1.3/24", "fd00:1::2/64"])
            // Deprecated (preferred lifetime 0): source selection avoids it (RFC 6724 rule 3), sending from it works.
            try namespaces[1].ip(["addr", "add", "fd00:1::8000/64", "dev", pair.nameB, "nodad", "preferred_lft", "0"])
            return try body(Lab(a: namespaces[0], b: namespaces[1],
                                addressA: [.v4: InetAddress("198.18.1.1")!, .v6: InetAddress("fd00:1::1")!],
                                addressB: [.v4: InetAddress("198.18.1.2")!, .v6: InetAddress("fd00:1::2")!]))
        }
    }

    @Test(arguments: [AddressFamily.v4, .v6])
    func batchOf32OverVeth(family: AddressFamily) throws {
        try Self.withLab { lab in
            let sender = try lab.a.run { try UDPSocket(bindingTo: SocketAddress(lab.addressA[family]!, port: 0)) }
            let receiver = try lab.b.run { try UDPSocket(bindingTo: SocketAddress(lab.addressB[family]!, port: 0)) }
            defer { sender.close(); receiver.close() }
            let from = try sender.localAddress()
            let to = try receiver.localAddress()
            #expect(from.address == lab.addressA[family] && from.port != 0)

            let outMemory = PacketBatch(capacity: 32)
            let out = DatagramBatch(capacity: 32)
            for index in 0..<32 {
                out.append(copying: TestPackets.payload(index: index, length: 100 + 37 * index), into: outMemory, to: to)
            }
            let progress = try sender.send(out)
            #expect(progress == BatchProgress(next: 32, sent: 32))

            let memory = PacketBatch(capacity: 64)
            let batch = DatagramBatch(capacity: 64)
            batch.receive(into: memory)
            var received: [[UInt8]] = []
            var calls = 0
            while received.count < 32, try waitReadable(receiver.fileDescriptor) {
                calls += 1
                try receiver.receive(into: batch)
                for index in 0..<batch.count {
                    #expect(batch.peer(at: index) == from)
                    #expect(batch.destination(at: index) == to.address)
                    #expect(!batch.isTruncated(at: index))
                    #expect(batch.segmentSize(at: index) == nil)
                    #expect(batch.packet(at: index).baseAddress == memory.buffer(at: index).baseAddress)
                    received.append(Array(batch.packet(at: index)))
                }
            }
            #expect(received == (0..<32).map { TestPackets.payload(index: $0, length: 100 + 37 * $0) })
            #expect(calls <= 4)
            #expect(try receiver.receive(into: batch) == 0)  // nothing left: would block, not an error
        }
    }

    /// A server bound to the wildcard address answers from the address each request was sent to
    /// (B's second address), not the one the kernel would pick (B's first: the IPv4 primary address;
    /// for IPv6 the preferred fd00:1::2 over the deprecated fd00:1::8000).
    @Test(arguments: [AddressFamily.v4, .v6])
    func repliesLeaveFromTheRequestedAddress(family: AddressFamily) throws {
        try Self.withLab { lab in
            let wildcard: InetAddress = family == .v4 ? .v4(IPv4Address(0)) : .v6(IPv6Address(high: 0, low: 0))
            let server = try lab.b.run { try UDPSocket(bindingTo: SocketAddress(wildcard, port: 0)) }
            let client = try lab.a.run { try UDPSocket(bindingTo: SocketAddress(lab.addressA[family]!, port: 0)) }
            defer { server.close(); client.close() }
            let second = InetAddress(family == .v4 ? "198.18.1.3" : "fd00:1::8000")!
            let serverAddress = SocketAddress(second, port: try server.localAddress().port)

            let memory = PacketBatch(capacity: 4)
            let request = DatagramBatch(capacity: 1)
            request.append(copying: [UInt8](repeating: 1, count: 10), into: memory, to: serverAddress)
            #expect(try client.send(request).sent == 1)

            let batch = DatagramBatch(capacity: 4)
            batch.receive(into: memory)
            #expect(try waitReadable(server.fileDescriptor))
            #expect(try server.receive(into: batch) == 1)
            let destination = try #require(batch.destination(at: 0))
            #expect(destination == second)
            let requester = try #require(batch.peer(at: 0))
            let answer = UnsafeRawBufferPointer(batch.packet(at: 0))
            batch.removeAll()
            batch.append(answer, to: requester, from: destination)  // answer in place
            #expect(try server.send(batch).sent == 1)

            let reply = DatagramBatch(capacity: 4)
            reply.receive(into: memory)
            #expect(try waitReadable(client.fileDescriptor))
            #expect(try client.receive(into: reply) == 1)
            #expect(reply.peer(at: 0) == serverAddress)
        }
    }

    /// One 9600-byte send with UDP_SEGMENT 1200 leaves as 8 datagrams; a GRO receiver may get them
    /// coalesced with the segment size, a plain receiver gets 8 of 1200.
    @Test func segmentationAndReceiveOffload() throws {
        try NetworkNamespace.withFresh { namespace in
            let loopback = InetAddress("127.0.0.1")!
            let (sender, plain, coalescing) = try namespace.run {
                (try UDPSocket(bindingTo: SocketAddress(loopback, port: 0)),
                 try UDPSocket(bindingTo: SocketAddress(loopback, port: 0)),
                 try UDPSocket(bindingTo: SocketAddress(loopback, port: 0), options: .init(receiveOffload: true)))
            }
            defer { sender.close(); plain.close(); coalescing.close() }
            let payload = TestPackets.payload(index: 3, length: 9600)
            let outMemory = PacketBatch(capacity: 2, bufferSize: 10_048)
            let out = DatagramBatch(capacity: 2)
            for target in [plain, coalescing] {
                out.append(copying: payload, into: outMemory, to: try target.localAddress(), segmentSize: 1200)
            }
            #expect(try sender.send(out).sent == 2)

            let memory = PacketBatch(capacity: 16, bufferSize: 65_536)
            let batch = DatagramBatch(capacity: 16)
            batch.receive(into: memory)
            var segments: [[UInt8]] = []
            while segments.count < 8, try waitReadable(plain.fileDescriptor) {
                try plain.receive(into: batch)
                segments += (0..<batch.count).map { Array(batch.packet(at: $0)) }
            }
            #expect(segments.count == 8 && segments.allSatisfy { $0.count == 1200 })
            #expect(segments.flatMap { $0 } == payload)

            var bytes: [UInt8] = []
            while bytes.count < payload.count, try waitReadable(coalescing.fileDescriptor) {
                try coalescing.receive(into: batch)
                for index in 0..<batch.count {
                    let size = batch.segmentSize(at: index)
                    #expect(size == nil || size == 1200)
                    bytes += batch.packet(at: index)
                }
            }
            #expect(bytes == payload)
        }
    }

    @Test func portInUseIsATypedError() throws {
        try NetworkNamespace.withFresh { namespace in
            try namespace.run {
                let first = try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0))
                defer { first.close() }
                let taken = try first.localAddress()
                #expect { _ = try UDPSocket(bindingTo: taken) } throws: { error in
                    (error as? SystemError)?.isAddressInUse == true && (error as? SystemError)?.call.hasPrefix("bind") == true
                }
                let buffers = try first.bufferSizes()
                #expect(buffers.receive >= PlatformLimits.defaultSocketBufferBytes)  // forced as root
            }
        }
    }

    @Test func unreachableDestinationIsRejectedPerDatagram() throws {
        try NetworkNamespace.withFresh { namespace in
            let socket = try namespace.run { try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0)) }
            defer { socket.close() }
            let target = try socket.localAddress()
            let memory = PacketBatch(capacity: 3)
            let batch = DatagramBatch(capacity: 3)
            let bytes = [UInt8](repeating: 0, count: 8)
            batch.append(copying: bytes, into: memory, to: target)
            batch.append(copying: bytes, into: memory, to: SocketAddress(InetAddress("198.18.9.9")!, port: 9))  // no route here
            batch.append(copying: bytes, into: memory, to: target)
            let progress = try socket.send(batch)
            #expect(progress.next == 3 && progress.sent == 2 && progress.rejected == 1)
            #expect(progress.lastRejection?.errno == ENETUNREACH)
        }
    }
}

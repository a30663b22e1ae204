// Raw IP protocol 139 between two namespaces over veth, IPv4 (header delivered, checksum ours) and
// IPv6 (checksum by the kernel at offset 4, verified here with an independent computation).

import Glibc
import SynapticDataPlane
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite(needsNamespaces) struct RawHIPSocketTests {
    /// A HIP-shaped packet (RFC 7401 §5.1): next header 59, length in 8-byte units beyond the first 8,
    /// packet type I1, version 2, checksum 0, controls 0, sender and receiver HITs.
    static func hipPacket() -> [UInt8] {
        let senderHIT = IPv6Address("2001:20::a")!.bytes
        let receiverHIT = IPv6Address("2001:20::b")!.bytes
        return [59, 4, 1, 0x21, 0, 0, 0, 0] + senderHIT + receiverHIT
    }

    /// The checksum over the pseudo header (RFC 7401 §5.1.1: as for TCP/UDP, next header 139).
    static func checksumIsValid(_ packet: [UInt8], source: InetAddress, destination: InetAddress) -> Bool {
        let length = TestPackets.be16(packet.count)
        let pseudo: [UInt8] = switch source {
        case .v4: source.bytes + destination.bytes + [0, 139] + length
        case .v6: source.bytes + destination.bytes + [0, 0] + length + [0, 0, 0, 139]
        }
        return TestPackets.internetChecksum(pseudo + packet) == 0
    }

    @Test(arguments: [AddressFamily.v4, .v6])
    func hipPacketsCrossTheVeth(family: AddressFamily) throws {
        try NetworkNamespace.withFresh(count: 2) { namespaces in
            _ = try VethPair.connect(namespaces[0], namespaces[1], addressesA: ["198.18.2.1/24", "fd00:2::1/64"],
                                     addressesB: ["198.18.2.2/24", "fd00:2::2/64"])
            let source = InetAddress(family == .v4 ? "198.18.2.1" : "fd00:2::1")!
            let destination = InetAddress(family == .v4 ? "198.18.2.2" : "fd00:2::2")!
            let sender = try namespaces[0].run { try RawHIPSocket(family: family) }
            let receiver = try namespaces[1].run { try RawHIPSocket(family: family) }
            defer { sender.close(); receiver.close() }

            var packet = Self.hipPacket()
            if family == .v4 {  // the caller computes the checksum on IPv4
                let pseudo = source.bytes + destination.bytes + [0, 139] + TestPackets.be16(packet.count)
                let checksum = TestPackets.internetChecksum(pseudo + packet)
                packet[4] = UInt8(checksum >> 8)
                packet[5] = UInt8(checksum & 0xFF)
            }
            let memory = PacketBatch(capacity: 8)
            let out = DatagramBatch(capacity: 2)
            for _ in 0..<2 {
                out.append(copying: packet, into: memory, to: SocketAddress(destination, port: 0), from: source)
            }
            #expect(try sender.send(out) == BatchProgress(next: 2, sent: 2))

            let batch = DatagramBatch(capacity: 8)
            batch.receive(into: memory)
            var got = 0
            while got < 2, try waitReadable(receiver.fileDescriptor) {
                try receiver.receive(into: batch)
                for index in 0..<batch.count {
                    let datagram = batch.packet(at: index)
                    #expect(batch.peer(at: index) == SocketAddress(source, port: 0))
                    #expect(batch.destination(at: index) == destination)
                    var hip = Array(datagram)
                    if family == .v4 {
                        let header = try #require(IPv4Header(parsing: UnsafeRawBufferPointer(datagram)))
                        #expect(header.protocol == 139)
                        #expect(.v4(header.source) == source && .v4(header.destination) == destination)
                        #expect(header.totalLength == datagram.count)
                        hip = Array(datagram[header.headerLength...])
                        #expect(hip == packet)
                    } else {
                        #expect(hip[4] != 0 || hip[5] != 0)           // filled in by the sender's kernel
                        #expect(Array(hip[6...]) == Array(packet[6...]))
                        #expect(Array(hip[..<4]) == Array(packet[..<4]))
                    }
                    #expect(Self.checksumIsValid(hip, source: source, destination: destination))
                    got += 1
                }
            }
            #expect(got == 2)
        }
    }
}

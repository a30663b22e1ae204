// HIPSockets: the node's HIP control transports and how packets are framed on each.
//
//   UDP (RFC 9028 §5.11):  | 0x00000000 | HIP packet (checksum 0) |   to the peer's port, from our port
//   raw IPv4 (proto 139):  | HIP packet, checksum over the IPv4 pseudo-header (we fill it) |
//   raw IPv6 (proto 139):  | HIP packet, checksum 0: the kernel fills it (IPV6_CHECKSUM) |
//
// The UDP transports are shared with the data plane (ESP uses the same port): UDPSocket in the node, an
// in-memory double in the virtual-network tests. The raw sockets exist only with CAP_NET_RAW and
// `transport.raw_hip` (never in those tests: they run HIP over UDP).
import HIPCore
import HIPWire
import SynapticPlatform

/// The sockets of the node. Owned by `Node`; sending here happens on the control thread (the data
/// threads use the UDP transports through their own batches).
final class HIPSockets<Transport: DatagramTransport>: HIPTransmitter, @unchecked Sendable {
    let udp4: Transport?
    let udp6: Transport?
    let raw4: RawHIPSocket?
    let raw6: RawHIPSocket?
    /// One datagram of up to two pieces (zero marker, HIP packet), pointing at the bytes while they are sent
    /// (control thread only).
    private let batch = DatagramBatch(capacity: 1, pieceCapacity: 2)

    init(udp4: Transport?, udp6: Transport?, raw4: RawHIPSocket?, raw6: RawHIPSocket?) {
        self.udp4 = udp4
        self.udp6 = udp6
        self.raw4 = raw4
        self.raw6 = raw6
    }

    var hasRaw: Bool { raw4 != nil || raw6 != nil }
    /// The address families with a raw 139 socket.
    var rawFamilies: Set<AddressFamily> {
        Set([raw4.map { _ in AddressFamily.v4 }, raw6.map { _ in AddressFamily.v6 }].compactMap { $0 })
    }

    func send(_ packet: OutboundPacket) -> Bool {
        guard let destination = packet.destination.address.inetAddress,
              packet.bytes.count <= NodeProtocol.maximumHIPPacketLength else { return false }
        // A source of the other family cannot be used (it would not be ours on this path anyway).
        let source = packet.source?.inetAddress.flatMap { $0.family == destination.family ? $0 : nil }
        switch packet.destination.transport {
        case .udp(let port):
            guard let socket = destination.family == .v4 ? udp4 : udp6 else { return false }
            return withUnsafeBytes(of: UInt32(0)) { marker in
                packet.bytes.withUnsafeBytes { bytes in
                    batch.removeAll()
                    batch.append(marker, to: SocketAddress(destination, port: port), from: source)
                    batch.appendPiece(bytes)
                    return (try? socket.send(batch, from: 0).sent) == 1
                }
            }
        case .raw:
            var bytes = packet.bytes
            var from = source
            switch destination {
            case .v4(let address):
                guard let socket = raw4 else { return false }
                if from == nil { from = SourceAddressSelector.source(toward: address).map { .v4($0) } }
                guard let from else { return false }
                HIPChecksum.fill(&bytes, source: IPAddress(from), destination: packet.destination.address)
                return transmit(bytes, on: socket, to: destination, from: from)
            case .v6:
                guard let socket = raw6 else { return false }
                return transmit(bytes, on: socket, to: destination, from: from)
            }
        }
    }

    private func transmit(_ bytes: [UInt8], on socket: RawHIPSocket, to destination: InetAddress,
                          from source: InetAddress?) -> Bool {
        bytes.withUnsafeBytes { bytes in
            batch.removeAll()
            batch.append(bytes, to: SocketAddress(destination, port: 0), from: source)
            return (try? socket.send(batch).sent) == 1
        }
    }

    /// Closes every socket (after the threads using them stopped).
    func close() {
        udp4?.close()
        udp6?.close()
        raw4?.close()
        raw6?.close()
    }
}

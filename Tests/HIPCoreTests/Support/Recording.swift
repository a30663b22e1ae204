// Recording: a complete exchange (I1, R1, I2, R2, an authenticated NOTIFY, CLOSE, CLOSE_ACK) delivered one
// datagram at a time, with a copy of the whole network taken before each delivery, so that a test can
// deliver a modified datagram to the receiver exactly as it was.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

struct RecordedStep {
    let datagram: Datagram
    /// The network just before `datagram` was delivered (the datagram is no longer queued).
    let before: TestNetwork
}

/// What must not change when a tampered packet is dropped.
struct HostFingerprint: Equatable {
    let associations: [String]
    let established, closed, failed, replaced: UInt64
    let generation: UInt64
    let consumed: Int
    let allocatedSPIs: Int

    init(_ peer: TestPeer) {
        let host = peer.host
        associations = host.allAssociations.map {
            "\($0.peerHIT) \($0.state) \($0.inboundSPI.map { "\($0)" } ?? "-") \($0.outboundSPI.map { "\($0)" } ?? "-")"
        }.sorted()
        established = host.counters.associationsEstablished
        closed = host.counters.associationsClosed
        failed = host.counters.associationsFailed
        replaced = host.counters.associationsReplaced
        generation = host.r1Generation
        consumed = host.pool.current.consumed.count + (host.pool.previous?.consumed.count ?? 0)
        allocatedSPIs = peer.spis.allocatedCount
    }
}

enum Recording {
    /// Peer 0 (smaller HIT) initiates to peer 1; peer 1 sends peer 0 a NOTIFY once established; peer 0
    /// closes. Over UDP, so the HIP checksum is not what catches a modification.
    static func completeExchange(_ kind: HostIdentityKind = .ecdsaP256) throws -> [RecordedStep] {
        let (small, great) = try TestIdentities.pair(kind)
        var network = TestNetwork([try TestHosts.make(small, seed: 31), try TestHosts.make(great, seed: 32)])
        var steps: [RecordedStep] = []
        func drain() {
            while !network.queue.isEmpty {
                let datagram = network.queue.removeFirst()
                steps.append(RecordedStep(datagram: datagram, before: network))
                network.deliver(datagram)
            }
        }
        network.connect(0, to: 1)
        drain()
        let notify = try network.peers[1].host.local.notify(to: small.hit, type: NotifyType.i2Acknowledgement, data: [1, 2])
        network.perform([.send(OutboundPacket(bytes: notify, type: .notify, destination: network.endpoint(0),
                                               source: nil, peer: small.hit, isRetransmission: false))], at: 1)
        drain()
        network.handle(.close(peer: great.hit), at: 0)
        drain()
        try #require(steps.map(\.datagram.type) == [.i1, .r1, .i2, .r2, .notify, .close, .closeAck])
        try #require(network.peers[0].reports.contains { if case .notified = $0 { true } else { false } })
        try #require(network.peers.allSatisfy { $0.rejections.isEmpty })
        return steps
    }
}

/// The TLVs of a packet: (type, offset of the TLV, contents range).
func tlvLayout(_ bytes: [UInt8]) -> [(type: UInt16, start: Int, contents: Range<Int>)] {
    var layout: [(UInt16, Int, Range<Int>)] = []
    var offset = HIPProtocol.headerLength
    while offset + 4 <= bytes.count {
        let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        layout.append((type, offset, offset + 4..<offset + 4 + length))
        offset += (4 + length + 7) & ~7
    }
    return layout
}

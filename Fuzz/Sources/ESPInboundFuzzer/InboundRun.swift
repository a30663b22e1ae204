// InboundRun: one ESPInboundFuzzer input through the inbound data plane the way the node's outside path
// (SynapticNode OutsidePath) drives it, with public SynapticDataPlane API only:
//
//   fresh per input: SADatabase (one worker) with the FuzzedSA inbound SAs (tag = index), LSIFlowTable,
//                    InboundProcessor with the OddPortsOverLSI policy
//   per record:      one UDP datagram (raw bytes, or an inner segment sealed on a FuzzedSA) at the end of
//                    its own buffer → UDPPayload.classify → ESP: copied into the next slot of a PacketBatch
//                    (as the outside path copies it out of its receive buffer), opened together
//                    (process(batch): SA by SPI, replay check, open, replay re-check and window update,
//                    BEET rebuild, LSI translation), or opened alone in its own buffer
//                    (process(buffer, offset:, length:), the single-packet API) after the batch so far
//
// Record header bits: 0 sealed (body = sequence number (64 bits) ‖ Next Header ‖ segment; else the body is
// the datagram), 1–2 the FuzzedSA to seal on, 3 open alone, 4 the batch ends after this record.
// Checks per opened packet (a failure traps, so libFuzzer keeps the input): no SPI and sequence number
// opens twice in one input (the SAs are fresh), a sealed packet opens with the sequence number it was sealed
// with, IPv6 carries the HITs, the hop limit, the right Payload Length and — when sealed — exactly the
// sealed segment and Next Header; IPv4 only on SAs with LSIs, between them, with the right Total Length and
// header checksum. A datagram opened alone ends at its buffer's end, so AddressSanitizer sees any read past
// it; in the batch, its slot's tailroom follows it.
import FuzzSupport
import HIPCrypto
import HIPWire
import SynapticDataPlane

/// The data plane state for one input, and what it opened so far.
final class InboundRun {
    static let sealedBit: UInt8 = 1
    static let aloneBit: UInt8 = 1 << 3
    static let endBatchBit: UInt8 = 1 << 4
    /// The longest datagram (longer ones are dropped, as the node drops what does not fit its buffers).
    static let maximumDatagram = 2048 + 64
    static let bufferSize = DataPlaneLimits.headroom + maximumDatagram + DataPlaneLimits.tailroom
    static let batchCapacity = 16
    /// The node's hop limit for rebuilt inner headers (NodeProtocol.innerHopLimit).
    static let hopLimit: UInt8 = 64

    private let database = SADatabase()
    private let processor: InboundProcessor
    private let batch = PacketBatch(capacity: batchCapacity, bufferSize: bufferSize)
    /// The datagrams copied into `batch`, in order.
    private var waiting: [Datagram] = []
    private var opened: Set<[UInt64]> = []

    init() {
        for (index, sa) in FuzzedSA.all.enumerated() {
            do {
                try database.installInbound(spi: sa.spi, suite: sa.suite, keys: sa.keys, endpoints: sa.endpoints, tag: index)
            } catch {
                fatalError("installing SPI \(sa.spi): \(error)")
            }
        }
        processor = InboundProcessor(database: database, flows: LSIFlowTable(capacity: 64), policy: OddPortsOverLSI())
    }

    func run(_ records: [Record]) {
        for record in records {
            guard let datagram = Datagram(record) else { continue }
            guard case .esp = UDPPayload.classify(UnsafeRawBufferPointer(datagram.packet)) else { continue }
            if record.header & Self.aloneBit != 0 {
                openBatch()
                openAlone(datagram)
            } else {
                batch.readArea(at: waiting.count).copyMemory(from: UnsafeRawBufferPointer(datagram.packet))
                batch.setRead(waiting.count, length: datagram.packet.count)
                waiting.append(datagram)
                if waiting.count == batch.capacity || record.header & Self.endBatchBit != 0 { openBatch() }
            }
        }
        openBatch()
    }

    private func openBatch() {
        guard !waiting.isEmpty else { return }
        batch.count = waiting.count
        processor.process(batch, hopLimit: Self.hopLimit)
        for (index, datagram) in waiting.enumerated() {
            let metadata = batch[metadata: index]
            guard metadata.drop == nil else { continue }
            check(UnsafeRawBufferPointer(batch.packet(at: index)), spi: metadata.spi, sequence: metadata.sequence,
                  tag: metadata.peer, sealed: datagram.sealed)
        }
        waiting.removeAll(keepingCapacity: true)
        batch.count = 0
    }

    private func openAlone(_ datagram: Datagram) {
        guard let packet = try? processor.process(datagram.buffer, offset: datagram.offset,
                                                  length: datagram.packet.count, hopLimit: Self.hopLimit) else { return }
        check(UnsafeRawBufferPointer(rebasing: datagram.buffer[packet.offset..<packet.offset + packet.length]),
              spi: packet.spi, sequence: packet.sequence, tag: packet.tag, sealed: datagram.sealed)
    }

    private func check(_ packet: UnsafeRawBufferPointer, spi: UInt32, sequence: UInt64, tag: Int, sealed: Datagram.Sealed?) {
        let sa = FuzzedSA.all[tag]
        require(sa.spi == spi, "opened on SPI \(spi) with the tag of SPI \(sa.spi)")
        require(opened.insert([UInt64(spi), sequence]).inserted, "SPI \(spi) sequence \(sequence) opened twice")
        if let sealed {
            require(sealed.sequence == sequence, "sealed as sequence \(sealed.sequence), opened as \(sequence)")
        }
        switch packet.first.map({ $0 >> 4 }) {
        case 6:
            require(packet.count >= 40 && Int(bigEndian16(packet, at: 4)) == packet.count - 40, "IPv6 Payload Length")
            require(packet[7] == Self.hopLimit, "IPv6 hop limit")
            require(HIT(bytes: packet[8..<24]) == sa.endpoints.peerHIT
                         && HIT(bytes: packet[24..<40]) == sa.endpoints.ownHIT, "IPv6 addresses are not the HITs")
            if let sealed {
                require(packet[6] == sealed.nextHeader && packet[40...].elementsEqual(sealed.segment),
                             "the opened segment differs from the sealed one")
            }
        case 4:
            guard let ownLSI = sa.endpoints.ownLSI, let peerLSI = sa.endpoints.peerLSI else {
                fatalError("IPv4 on SPI \(spi), which has no LSIs")
            }
            let headerLength = Int(packet[0] & 0x0F) * 4
            require(headerLength >= 20 && headerLength <= packet.count, "IPv4 header length")
            require(Int(bigEndian16(packet, at: 2)) == packet.count, "IPv4 Total Length")
            require(UInt32(bigEndian16(packet, at: 12)) << 16 | UInt32(bigEndian16(packet, at: 14)) == peerLSI
                         && UInt32(bigEndian16(packet, at: 16)) << 16 | UInt32(bigEndian16(packet, at: 18)) == ownLSI,
                         "IPv4 addresses are not the LSIs")
            require(InternetChecksum.checksum(Array(packet[..<headerLength])) == 0, "IPv4 header checksum")
        default:
            fatalError("opened packet of IP version \(packet.first.map { $0 >> 4 } ?? 0)")
        }
    }

    private func bigEndian16(_ packet: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
    }
}

// OutboundProcessor: inside (TUN) → outside (ESP), per packet, in place in its buffer.
//
//   before:  a TUN read (virtio-net header, packet or TSO/USO super-packet) → SuperPacket → its segments,
//            each into a slot of the batch (the caller copies them; malformed reads are counted here)
//   stages:  IPv6 to a HIT ─────────────────────────────┐
//            IPv4 to an LSI → LSI→HIT translation ──────┤→ SA by destination → BEET strip → sequence
//            (record the flow as LSI-based)             │   number (at most `thresholds.lastSequence`)
//                                                           → seal → ESP packet window + SPI
//   IPv6 flows are forgotten in the LSI flow table, so the reply family follows the last one used.
//
// With no outbound SA the packet is left untouched and reported as `.noSecurityAssociation`, so the
// node can queue it and start a base exchange.
//
// A batch runs in three stages: prepare (sequential: everything above up to the sequence number),
// seal (parallel over the database's worker contexts, StageWorkers queues, packet i on
// worker i mod n), finish (sequential: counters, windows, metadata). Order inside the batch, and so per
// SA, is kept; the caller hands batches on in the order it processed them.

import HIPCrypto

/// Where a sealed ESP packet lies in its buffer, and which SA sealed it.
public struct SealedPacket: Sendable, Equatable {
    public var offset: Int
    public var length: Int
    public var spi: UInt32
    public var sequence: UInt64
    /// The outbound SA's `tag` (the installer's peer handle).
    public var tag: Int
}

/// Turns inner packets into ESP packets. Use on the queue that owns the database's outbound half, one
/// processor per database at a time (it uses every sealer context of its SAs).
public struct OutboundProcessor {
    public let database: SADatabase
    public let flows: LSIFlowTable
    /// Its `lastSequence` is where every SA stops sending (`.sequenceExhausted` drops).
    public var thresholds: RekeyThresholds {
        didSet { lastSequence = thresholds.lastSequence }
    }
    /// `thresholds.lastSequence`, computed once per change instead of per packet.
    private var lastSequence: UInt64

    public init(database: SADatabase, flows: LSIFlowTable, thresholds: RekeyThresholds = RekeyThresholds()) {
        self.database = database
        self.flows = flows
        self.thresholds = thresholds
        lastSequence = thresholds.lastSequence
    }

    /// `bytes` as read from a TUN with IFF_VNET_HDR (virtio-net header, then a packet or super-packet), ready
    /// to be split into segments of at most `maximumSegmentLength` bytes; nil when the header does not
    /// describe a packet that can be split so (counted as a drop before an SA is known).
    public func superPacket(_ bytes: UnsafeRawBufferPointer, maximumSegmentLength: Int) -> SuperPacket? {
        do {
            return try SuperPacket(parsing: bytes, maximumSegmentLength: maximumSegmentLength)
        } catch {
            database.outboundCounters.countDrop(error.dropReason)
            return nil
        }
    }

    /// Seals every packet of `batch` in place, in parallel on `database.workers` contexts: each window
    /// becomes the ESP packet and its metadata gets the SPI, sequence number and tag, or a drop reason
    /// (counted). Packets without an SA keep their bytes and get `.noSecurityAssociation`.
    public func process(_ batch: PacketBatch) {
        let count = batch.count
        batch.prepareEach { buffer, offset, length throws(DataPlaneError) in
            try prepare(buffer, offset: offset, length: length)
        }
        if let pool = database.outboundWorkers, count > 1 {
            pool.run(.seal, on: batch, workers: count)
        } else {
            Self.sealStripe(batch, worker: 0, workers: 1)
        }
        for index in 0..<count {
            guard let association = batch.takeAssociation(at: index, as: OutboundSA.self) else { continue }
            let stage = batch.stages[index]
            if let error = stage.error {
                association.counters.countDrop(error.dropReason)
                batch[metadata: index] = PacketMetadata(drop: error.dropReason)
                continue
            }
            association.counters.countOut(bytes: stage.payloadLength)
            batch.setPacket(index, offset: stage.start, length: stage.resultLength)
            batch[metadata: index] = PacketMetadata(spi: association.spi, sequence: stage.sequence, peer: association.tag)
        }
    }

    /// The parallel stage for one worker: packets worker, worker + workers, … with that worker's contexts.
    static func sealStripe(_ batch: PacketBatch, worker: Int, workers: Int) {
        for index in stride(from: worker, to: batch.count, by: workers) {
            guard let association = batch.association(at: index, as: OutboundSA.self) else { continue }
            do {
                batch.stages[index].resultLength = try seal(batch.buffer(at: index), stage: batch.stages[index],
                                                            association: association, worker: worker)
            } catch {
                batch.stages[index].error = error
            }
        }
    }

    /// Seals the inner packet at `buffer[offset ..< offset + length]` on the SA's first context. Counts
    /// what it drops (in the SA's counters once the SA is known, else in `database.outboundCounters`).
    public func process(_ buffer: UnsafeMutableRawBufferPointer, offset: Int,
                        length: Int) throws(DataPlaneError) -> SealedPacket {
        let (association, stage) = try prepare(buffer, offset: offset, length: length)
        let sealedLength: Int
        do {
            sealedLength = try Self.seal(buffer, stage: stage, association: association, worker: 0)
        } catch {
            association.counters.countDrop(error.dropReason)
            throw error
        }
        association.counters.countOut(bytes: stage.payloadLength)
        return SealedPacket(offset: stage.start, length: sealedLength, spi: association.spi, sequence: stage.sequence,
                            tag: association.tag)
    }

    /// The sequential stage: SA lookup, strip or translate, flow table, room check, sequence number.
    /// Counts its own drops.
    private func prepare(_ buffer: UnsafeMutableRawBufferPointer, offset: Int,
                         length: Int) throws(DataPlaneError) -> (OutboundSA, PacketStage) {
        let association: OutboundSA
        do {
            association = try lookUp(buffer, offset: offset, length: length)
        } catch {
            database.outboundCounters.countDrop(error.dropReason)
            throw error
        }
        do {
            return (association, try frame(buffer, offset: offset, length: length, association: association))
        } catch {
            association.counters.countDrop(error.dropReason)
            throw error
        }
    }

    /// The SA for the packet's destination HIT (IPv6) or LSI (IPv4).
    private func lookUp(_ buffer: UnsafeMutableRawBufferPointer, offset: Int,
                        length: Int) throws(DataPlaneError) -> OutboundSA {
        guard offset >= 0, length >= 1, offset + length <= buffer.count else { throw .truncated }
        let packet = UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length])
        switch packet[0] >> 4 {
        case 6:
            guard packet.count >= ProtocolConstants.ipv6HeaderLength else { throw .truncated }
            guard let found = database.outbound(packed: PackedHIT(loadingFrom: packet, at: 24)) else { throw .noSA }
            return found
        case 4:
            guard packet.count >= ProtocolConstants.ipv4MinimumHeaderLength else { throw .truncated }
            let destination = UInt32(bigEndian: packet.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
            guard let found = database.outbound(lsi: destination) else { throw .noSA }
            return found
        default:
            throw .badIPVersion
        }
    }

    /// Strips (or translates, then strips) the inner header, updates the LSI flow table, checks the room
    /// for the ESP framing and takes a sequence number (none past `thresholds.lastSequence`).
    private func frame(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                       association: OutboundSA) throws(DataPlaneError) -> PacketStage {
        var base = offset
        var segment: BEET.Segment
        if buffer[offset] >> 4 == 6 {
            segment = try BEET.strip(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]))
            guard segment.source == association.ownHIT else { throw .badSource }
            if association.endpoints.lsis != nil,
               let flow = LSIFlowTable.Flow.outbound(peer: association.peerHIT, nextHeader: segment.nextHeader,
                                                     segment: segmentBytes(buffer, base, segment)) {
                flows.forget(flow)
            }
        } else {
            let source = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            guard source == association.endpoints.ownLSI else { throw .badSource }
            let translated = try LSITranslator.ipv4ToIPv6(buffer, offset: offset, length: length,
                                                          source: association.ownHIT,
                                                          destination: association.peerHIT)
            base = translated.offset
            segment = try BEET.strip(UnsafeRawBufferPointer(
                rebasing: buffer[translated.offset..<translated.offset + translated.length]))
            if let flow = LSIFlowTable.Flow.outbound(peer: association.peerHIT, nextHeader: segment.nextHeader,
                                                     segment: segmentBytes(buffer, base, segment)) {
                flows.record(flow)
            }
        }
        let suite = association.suite
        let start = base + segment.offset - suite.headerLength
        guard start >= 0, start + suite.packetLength(payloadLength: segment.length) <= buffer.count else {
            throw .noRoom
        }
        return PacketStage(start: start, payloadLength: segment.length, nextHeader: segment.nextHeader,
                           sequence: try association.assignSequence(last: lastSequence))
    }

    private func segmentBytes(_ buffer: UnsafeMutableRawBufferPointer, _ base: Int,
                              _ segment: BEET.Segment) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[base + segment.offset..<base + segment.offset + segment.length])
    }

    /// The parallel stage: seals with the SA's context for `worker`; returns the ESP packet length.
    private static func seal(_ buffer: UnsafeMutableRawBufferPointer, stage: PacketStage, association: OutboundSA,
                             worker: Int) throws(DataPlaneError) -> Int {
        do {
            return try association.sealers[worker].seal(
                UnsafeMutableRawBufferPointer(rebasing: buffer[stage.start...]), payloadLength: stage.payloadLength,
                nextHeader: stage.nextHeader, spi: association.spi, sequence: stage.sequence)
        } catch {
            throw error == .noRoom ? .noRoom : .cryptoFailure
        }
    }
}

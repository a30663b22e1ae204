// OutboundProcessor: inside (TUN) → outside (ESP), per packet, in place in its buffer.
//
//   stages:  IPv6 to a HIT ─────────────────────────────┐
//            IPv4 to an LSI → LSI→HIT translation ──────┤→ SA by destination → BEET strip → sequence
//            (record the flow as LSI-based)             │   number → seal → ESP packet window + SPI
//   IPv6 flows are forgotten in the LSI flow table, so the reply family follows the last one used.
//
// With no outbound SA the packet is left untouched and reported as `.noSecurityAssociation`, so the
// node can queue it and start a base exchange.

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

/// Turns inner packets into ESP packets. Use on the queue that owns the database's outbound half;
/// `worker` picks the SA's sealer (0 ..< database.workers).
public struct OutboundProcessor {
    public let database: SADatabase
    public let flows: LSIFlowTable
    public let worker: Int

    public init(database: SADatabase, flows: LSIFlowTable, worker: Int = 0) {
        precondition(worker >= 0 && worker < database.workers, "worker out of range")
        self.database = database
        self.flows = flows
        self.worker = worker
    }

    /// Seals every packet of `batch` in place: each window becomes the ESP packet and its metadata gets
    /// the SPI, sequence number and tag, or a drop reason (counted). Packets without an SA keep their bytes.
    public func process(_ batch: PacketBatch) {
        for index in 0..<batch.count {
            do {
                let sealed = try process(batch.buffer(at: index), offset: batch.offset(of: index),
                                         length: batch.length(of: index))
                batch.setPacket(index, offset: sealed.offset, length: sealed.length)
                batch[metadata: index] = PacketMetadata(spi: sealed.spi, sequence: sealed.sequence, peer: sealed.tag)
            } catch {
                batch[metadata: index] = PacketMetadata(drop: error.dropReason)
            }
        }
    }

    /// Seals the inner packet at `buffer[offset ..< offset + length]`. Counts what it drops (in the SA's
    /// counters once the SA is known, else in `database.outboundCounters`) and throws the reason.
    public func process(_ buffer: UnsafeMutableRawBufferPointer, offset: Int,
                        length: Int) throws(DataPlaneError) -> SealedPacket {
        let association: OutboundSA
        do {
            association = try lookUp(buffer, offset: offset, length: length)
        } catch {
            database.outboundCounters.countDrop(error.dropReason)
            throw error
        }
        do {
            return try frameAndSeal(buffer, offset: offset, length: length, association: association)
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

    /// Strips (or translates, then strips) the inner header, updates the LSI flow table and seals.
    private func frameAndSeal(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                              association: OutboundSA) throws(DataPlaneError) -> SealedPacket {
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
        return try seal(buffer, association: association, payloadOffset: base + segment.offset,
                        payloadLength: segment.length, nextHeader: segment.nextHeader)
    }

    private func segmentBytes(_ buffer: UnsafeMutableRawBufferPointer, _ base: Int,
                              _ segment: BEET.Segment) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[base + segment.offset..<base + segment.offset + segment.length])
    }

    private func seal(_ buffer: UnsafeMutableRawBufferPointer, association: OutboundSA, payloadOffset: Int,
                      payloadLength: Int, nextHeader: UInt8) throws(DataPlaneError) -> SealedPacket {
        let suite = association.suite
        let start = payloadOffset - suite.headerLength
        guard start >= 0, start + suite.packetLength(payloadLength: payloadLength) <= buffer.count else {
            throw .noRoom
        }
        let sequence = try association.assignSequence()
        let length: Int
        do {
            length = try association.sealers[worker].seal(
                UnsafeMutableRawBufferPointer(rebasing: buffer[start...]), payloadLength: payloadLength,
                nextHeader: nextHeader, spi: association.spi, sequence: sequence)
        } catch {
            throw error == .noRoom ? .noRoom : .cryptoFailure
        }
        association.counters.countOut(bytes: payloadLength)
        return SealedPacket(offset: start, length: length, spi: association.spi, sequence: sequence,
                            tag: association.tag)
    }
}

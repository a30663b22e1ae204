// InboundProcessor: outside (ESP) → inside (TUN), per packet, in place in its buffer.
//
//   stages:  SA by SPI → replay check (infer ESN high bits) → open (verify ICV, decrypt, trailer)
//            → replay window update → BEET: rebuild the IPv6 header (src = peer HIT, dst = own HIT)
//            → if the flow was last used over an LSI: HIT→LSI translation to IPv4
//
// The replay window is checked before and updated only after a successful open (RFC 4303 §3.4.3).

import HIPCrypto

/// Where an opened inner packet lies in its buffer, ready for the TUN.
public struct OpenedPacket: Sendable, Equatable {
    public var offset: Int
    public var length: Int
    public var spi: UInt32
    public var sequence: UInt64
    /// The inbound SA's `tag` (the installer's peer handle).
    public var tag: Int
}

/// Turns ESP packets into inner packets. Use on the queue that owns the database's inbound half;
/// `worker` picks the SA's opener (0 ..< database.workers).
public struct InboundProcessor {
    public let database: SADatabase
    public let flows: LSIFlowTable
    public let worker: Int

    public init(database: SADatabase, flows: LSIFlowTable, worker: Int = 0) {
        precondition(worker >= 0 && worker < database.workers, "worker out of range")
        self.database = database
        self.flows = flows
        self.worker = worker
    }

    /// Opens every packet of `batch` in place: each window becomes the inner IPv6 (or IPv4) packet with
    /// its metadata, or the metadata gets a drop reason (counted). `hopLimit` goes into rebuilt headers.
    public func process(_ batch: PacketBatch, hopLimit: UInt8) {
        for index in 0..<batch.count {
            do {
                let opened = try process(batch.buffer(at: index), offset: batch.offset(of: index),
                                         length: batch.length(of: index), hopLimit: hopLimit)
                batch.setPacket(index, offset: opened.offset, length: opened.length)
                batch[metadata: index] = PacketMetadata(spi: opened.spi, sequence: opened.sequence, peer: opened.tag)
            } catch {
                batch[metadata: index] = PacketMetadata(drop: error.dropReason)
            }
        }
    }

    /// Opens the ESP packet at `buffer[offset ..< offset + length]` (the UDP payload after demux). Needs
    /// 40 bytes before the ESP payload for the rebuilt header (the slab's headroom provides it). Counts
    /// what it drops (in the SA's counters once known, else in `database.inboundCounters`).
    public func process(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                        hopLimit: UInt8) throws(DataPlaneError) -> OpenedPacket {
        let association: InboundSA
        guard offset >= 0, length >= 8, offset + length <= buffer.count else {
            database.inboundCounters.countDrop(.malformed)
            throw .truncated
        }
        let spi = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        guard let found = database.inbound(spi: spi) else {
            database.inboundCounters.countDrop(.unknownSPI)
            throw .unknownSPI
        }
        association = found
        do {
            return try openAndRebuild(buffer, offset: offset, length: length, hopLimit: hopLimit,
                                      association: association)
        } catch {
            association.counters.countDrop(error.dropReason)
            throw error
        }
    }

    private func openAndRebuild(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int, hopLimit: UInt8,
                                association: InboundSA) throws(DataPlaneError) -> OpenedPacket {
        let low = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        let sequence = try association.window.check(low)
        let opened: ESPOpened
        do {
            opened = try association.openers[worker].open(
                UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + length]), sequence: sequence)
        } catch {
            switch error {
            case .authenticationFailed:
                throw association.window.isFarAhead(sequence) ? .tooOld : .authentication
            case .malformed: throw .truncated
            case .badPadding: throw .badPadding
            default: throw .cryptoFailure
            }
        }
        association.window.update(sequence)

        let payloadOffset = offset + opened.payloadOffset
        var start = try BEET.rebuild(in: buffer, payloadOffset: payloadOffset, payloadLength: opened.payloadLength,
                                     nextHeader: opened.nextHeader, source: association.peerHIT,
                                     destination: association.ownHIT, hopLimit: hopLimit)
        var packetLength = ProtocolConstants.ipv6HeaderLength + opened.payloadLength
        if let lsis = association.endpoints.lsis,
           let flow = LSIFlowTable.Flow.inbound(
               peer: association.peerHIT, nextHeader: opened.nextHeader,
               segment: UnsafeRawBufferPointer(rebasing: buffer[payloadOffset..<payloadOffset + opened.payloadLength])),
           flows.contains(flow) {
            let translated = try LSITranslator.ipv6ToIPv4(buffer, offset: start, length: packetLength,
                                                          source: lsis.peer, destination: lsis.own)
            start = translated.offset
            packetLength = translated.length
        }
        association.counters.countIn(bytes: opened.payloadLength)
        return OpenedPacket(offset: start, length: packetLength, spi: association.spi, sequence: sequence,
                            tag: association.tag)
    }
}

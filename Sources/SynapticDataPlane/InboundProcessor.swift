// InboundProcessor: outside (ESP) → inside (TUN), per packet, in place in its buffer.
//
//   stages:  SA by SPI → replay check (infer ESN high bits) → open (verify ICV, decrypt, trailer)
//            → replay window update → BEET: rebuild the IPv6 header (src = peer HIT, dst = own HIT)
//            → if the flow is LSI-based (in the LSIFlowTable, or a flow the peer starts that the
//              InboundFlowPolicy sends to an IPv4 socket, then recorded): HIT→LSI translation to IPv4
//
// The replay window is checked before and updated only after a successful open (RFC 4303 §3.4.3).
//
// A batch runs in three stages: prepare (sequential: SA by SPI, replay check), open (parallel over the
// database's worker contexts, StageWorkers queues, packet i on worker i mod n), finish
// (sequential, in batch order: replay check again — a duplicate may sit in the same batch — and update,
// BEET rebuild, LSI translation, counters, metadata).

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

/// Turns ESP packets into inner packets. Use on the queue that owns the database's inbound half, one
/// processor per database at a time (it uses every opener context of its SAs).
public struct InboundProcessor {
    public let database: SADatabase
    public let flows: LSIFlowTable
    /// Asked about flows the peer starts; nil: they are presented as IPv6.
    public let policy: (any InboundFlowPolicy)?

    public init(database: SADatabase, flows: LSIFlowTable, policy: (any InboundFlowPolicy)? = nil) {
        self.database = database
        self.flows = flows
        self.policy = policy
    }

    /// Opens every packet of `batch` in place, in parallel on `database.workers` contexts: each window
    /// becomes the inner IPv6 (or IPv4) packet with its metadata, or the metadata gets a drop reason
    /// (counted). `hopLimit` goes into rebuilt headers.
    public func process(_ batch: PacketBatch, hopLimit: UInt8) {
        let count = batch.count
        batch.prepareEach { buffer, offset, length throws(DataPlaneError) in
            try prepare(buffer, offset: offset, length: length)
        }
        if let pool = database.inboundWorkers, count > 1 {
            pool.run(.open, on: batch, workers: count)
        } else {
            Self.openStripe(batch, worker: 0, workers: 1)
        }
        for index in 0..<count {
            guard let association = batch.takeAssociation(at: index, as: InboundSA.self) else { continue }
            do {
                let opened = try finish(batch.buffer(at: index), stage: batch.stages[index], association: association,
                                        hopLimit: hopLimit)
                batch.setPacket(index, offset: opened.offset, length: opened.length)
                batch[metadata: index] = PacketMetadata(spi: opened.spi, sequence: opened.sequence, peer: opened.tag)
            } catch {
                batch[metadata: index] = PacketMetadata(drop: error.dropReason)
            }
        }
    }

    /// Opens the ESP packet at `buffer[offset ..< offset + length]` (the UDP payload after demux) on the
    /// SA's first context. Needs 40 bytes before the ESP payload for the rebuilt header (the batch's
    /// headroom provides it). Counts what it drops (in the SA's counters once known, else in
    /// `database.inboundCounters`).
    public func process(_ buffer: UnsafeMutableRawBufferPointer, offset: Int, length: Int,
                        hopLimit: UInt8) throws(DataPlaneError) -> OpenedPacket {
        let (association, prepared) = try prepare(buffer, offset: offset, length: length)
        var stage = prepared
        Self.open(buffer, stage: &stage, association: association, worker: 0)
        return try finish(buffer, stage: stage, association: association, hopLimit: hopLimit)
    }

    /// The sequential first stage: SA by SPI and the replay check. Counts its own drops.
    private func prepare(_ buffer: UnsafeMutableRawBufferPointer, offset: Int,
                         length: Int) throws(DataPlaneError) -> (InboundSA, PacketStage) {
        guard offset >= 0, length >= 8, offset + length <= buffer.count else {
            database.inboundCounters.countDrop(.malformed)
            throw .truncated
        }
        let spi = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        guard let association = database.inbound(spi: spi) else {
            database.inboundCounters.countDrop(.unknownSPI)
            throw .unknownSPI
        }
        let low = UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
        do {
            let sequence = try association.window.check(low)
            return (association, PacketStage(start: offset, payloadLength: length, sequence: sequence))
        } catch {
            association.counters.countDrop(error.dropReason)
            throw error
        }
    }

    /// The parallel stage for one worker: packets worker, worker + workers, … with that worker's contexts.
    static func openStripe(_ batch: PacketBatch, worker: Int, workers: Int) {
        for index in stride(from: worker, to: batch.count, by: workers) {
            guard let association = batch.association(at: index, as: InboundSA.self) else { continue }
            open(batch.buffer(at: index), stage: &batch.stages[index], association: association, worker: worker)
        }
    }

    /// Verifies and decrypts in place; records the payload length and Next Header, or the error. Reads
    /// the SA's window only (stale packets inferred far ahead count as replays).
    private static func open(_ buffer: UnsafeMutableRawBufferPointer, stage: inout PacketStage,
                             association: InboundSA, worker: Int) {
        do {
            let opened = try association.openers[worker].open(
                UnsafeMutableRawBufferPointer(rebasing: buffer[stage.start..<stage.start + stage.payloadLength]),
                sequence: stage.sequence)
            stage.resultLength = opened.payloadLength
            stage.nextHeader = opened.nextHeader
        } catch {
            switch error {
            case .authenticationFailed:
                stage.error = association.window.isFarAhead(stage.sequence) ? .tooOld : .authentication
            case .malformed: stage.error = .truncated
            case .badPadding: stage.error = .badPadding
            default: stage.error = .cryptoFailure
            }
        }
    }

    /// The sequential last stage, in order: replay re-check and update, BEET rebuild, LSI translation,
    /// counters. Counts its own drops.
    private func finish(_ buffer: UnsafeMutableRawBufferPointer, stage: PacketStage, association: InboundSA,
                        hopLimit: UInt8) throws(DataPlaneError) -> OpenedPacket {
        do throws(DataPlaneError) {
            if let error = stage.error { throw error }
            // A duplicate in the same batch passed `prepare` too; only the first one gets through here.
            let low = UInt32(truncatingIfNeeded: stage.sequence)
            guard try association.window.check(low) == stage.sequence else { throw DataPlaneError.replayed }
            association.window.update(stage.sequence)
            let payloadOffset = stage.start + association.suite.headerLength
            let payloadLength = stage.resultLength
            var start = try BEET.rebuild(in: buffer, payloadOffset: payloadOffset, payloadLength: payloadLength,
                                         nextHeader: stage.nextHeader, source: association.peerHIT,
                                         destination: association.ownHIT, hopLimit: hopLimit)
            var packetLength = ProtocolConstants.ipv6HeaderLength + payloadLength
            let segment = UnsafeRawBufferPointer(rebasing: buffer[payloadOffset..<payloadOffset + payloadLength])
            if let lsis = association.endpoints.lsis,
               let flow = LSIFlowTable.Flow.inbound(peer: association.peerHIT, nextHeader: stage.nextHeader,
                                                    segment: segment),
               isLSIBased(flow, nextHeader: stage.nextHeader, segment: segment) {
                let translated = try LSITranslator.ipv6ToIPv4(buffer, offset: start, length: packetLength,
                                                              source: lsis.peer, destination: lsis.own)
                start = translated.offset
                packetLength = translated.length
            }
            association.counters.countIn(bytes: payloadLength)
            return OpenedPacket(offset: start, length: packetLength, spi: association.spi, sequence: stage.sequence,
                                tag: association.tag)
        } catch {
            association.counters.countDrop(error.dropReason)
            throw error
        }
    }

    /// Whether `flow` is presented over the LSIs: recorded, or started by this segment and sent to IPv4
    /// by the policy (then recorded, so the rest of the flow stays IPv4 both ways).
    private func isLSIBased(_ flow: LSIFlowTable.Flow, nextHeader: UInt8, segment: UnsafeRawBufferPointer) -> Bool {
        if flows.contains(flow) { return true }
        guard let policy, let transport = LSIFlowTable.Flow.startingTransport(nextHeader: nextHeader, segment: segment),
              policy.presentsOverLSI(transport, localPort: flow.localPort) else { return false }
        flows.record(flow)
        return true
    }
}

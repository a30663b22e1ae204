// InsidePath: the TUN → ESP direction, on one thread (plus the seal workers of its SADatabase).
//
// Stages, per batch of up to 64 packets:
//   TUN read: a virtio-net header and one packet, or with offloads a TCP/UDP super-packet of up to 64 KiB
//     (TSO/USO: the kernel leaves segmentation to us), into the read buffer
//   → split (SuperPacket, as read: before BEET and LSI translation): its segments, each with full checksums,
//     copied into the next slots of the PacketBatch `sealing` after the headroom (a super-packet larger
//     than what is left of the batch goes on in the next one)
//   → OutboundProcessor.process(batch), three stages over the whole batch:
//       prepare (this thread, in batch order): SA by destination HIT or LSI, LSI→HIT translation, BEET strip,
//         ESP sequence number — so per SA, sequence numbers follow the TUN's order; an SA past
//         `RekeyThresholds.lastSequence` sends nothing more (dropped as `.sequenceExhausted`)
//       seal (parallel): packet i on worker i mod n; the workers are the SADatabase's StageWorkers (one
//         serial Dispatch queue each, running a loop that waits for batches), with this thread as worker 0.
//         With `dataPlaneWorkers` = 1 there are no helpers and sealing stays on this thread.
//       finish (this thread, in batch order): counters, ESP window and metadata per slot
//   → per slot, in order: sealed → kept for sending to the SA's current destination; once per run of one
//                                  SA's packets: the first time the SA reaches its RekeyThresholds (payload
//                                  bytes, next sequence number), the control plane is told (`.rekeyWanted`)
//     no SA: copied to the peer's pending queue (PendingTable: bounded per peer and in peers, evicting an
//            idle or the longest-waiting peer when full), base exchange requested (at most once per second
//            per peer), slot left out of the send
//     dropped (malformed, untranslatable, ...): counted by the data plane, slot left out
//   → datagrams pointing at the ESP windows (DatagramBatch: no copy): with offloads, consecutive kept slots
//     to one destination with sealed packets of one length (the last may be shorter; at most
//     `NodeLimits.gsoSegments` and `gsoBytes`) go as one UDP_SEGMENT datagram (GSO: the kernel cuts it into
//     the ESP packets), otherwise one datagram per slot; sendmmsg per run of consecutive datagrams of one
//     address family (ESP in UDP to the peer's locator, shared port), so packets leave in batch order. A
//     socket that refuses a GSO send (EIO, EINVAL: a route without checksum offload, say) turns GSO off for
//     the path (said once in the log); those packets are lost and counted, TCP resends them.
// SA changes arrive in the inbox and are applied between batches (the TUN is read for at most
// `NodeLimits.batchesPerWakeup` batches per wait); installing an SA sends that peer's queued packets first,
// in order. Installing a peer's new SA (rekey) replaces its old one between two batches: no packet is
// sealed with an SA after its replacement. Moving an SA changes only its destination (mobility): the next
// batch goes there, the sequence numbers go on. Nothing is allocated per packet once SAs exist.
// The TUN and the UDP transports are generic parameters (PacketDevice, DatagramTransport): TunDevice and
// UDPSocket in the node, called directly per packet; in-memory doubles in the virtual-network tests.
import Glibc
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// The inside path, reading `Device` (the TUN) and sending on `Transport` (UDP). Its thread runs `run()`;
/// other threads only `inbox.post`. Hence `@unchecked Sendable`.
final class InsidePath<Device: PacketDevice, Transport: DatagramTransport>: @unchecked Sendable {
    let inbox: Inbox<InsideMessage>
    private let tun: Device
    private let udp4: Transport?
    private let udp6: Transport?
    private let database: SADatabase
    private var processor: OutboundProcessor
    private let control: Inbox<ControlMessage>
    private let logger: Logger
    private let clock: any NodeClock
    private let poller: EventPoller
    private let writable: EventPoller
    private let events = ReadyEvents(capacity: 8)
    private let writableEvents = ReadyEvents(capacity: 2)
    /// One TUN read (virtio-net header and packet), and the part of it still to split into `sealing`.
    private let reads: PacketBatch
    private var superPacket: SuperPacket?
    private var nextSegment = 0
    /// The packets of one batch: split into it, sealed in place, sent from there.
    private let sealing: PacketBatch
    /// Where each slot of `sealing` goes once sealed (nil: queued or dropped).
    private var destinations: [SocketAddress?]
    /// The sealed packets of `sealing` to send, and the address family of each datagram.
    private let datagrams: DatagramBatch
    private var families: [AddressFamily?]
    /// Whether sealed packets of one size leave as one UDP_SEGMENT datagram.
    private var segmentsSends: Bool
    /// The outbound SAs by tag (freed when the SA is removed or replaced).
    private var outbound = TagTable<Outbound>()
    private let pending: PendingTable
    private var peerLSIs: [UInt32: HIT] = [:]
    private var counters = InsideCounters()

    private static var tunToken: UInt64 { 1 }

    /// An outbound SA, where its ESP goes, and whether the control plane was told it is due for rekeying.
    private struct Outbound {
        let association: OutboundSA
        var destination: SocketAddress
        var rekeyWanted = false
    }

    /// - Parameter control: the control plane's inbox (base exchange requests, rekey thresholds reached).
    /// - Parameter clock: when packets without SA were queued (read on that slow path only).
    /// - Parameter offload: send sealed packets of one size as UDP_SEGMENT datagrams.
    init(tun: Device, udp4: Transport?, udp6: Transport?, database: SADatabase, flows: LSIFlowTable, mtu: Int,
         offload: Bool, thresholds: RekeyThresholds, logger: Logger, control: Inbox<ControlMessage>,
         clock: any NodeClock = MonotonicClock()) throws(SystemError) {
        self.tun = tun
        self.clock = clock
        self.udp4 = udp4
        self.udp6 = udp6
        self.database = database
        self.processor = OutboundProcessor(database: database, flows: flows, thresholds: thresholds)
        self.control = control
        self.logger = logger
        poller = try EventPoller()
        writable = try EventPoller()
        inbox = Inbox(poller: poller)
        reads = PacketBatch(capacity: 1, bufferSize: NodeLimits.tunReadBufferSize)
        sealing = PacketBatch(capacity: NodeLimits.batchCapacity, bufferSize: NodeLimits.bufferSize(mtu: mtu))
        destinations = Array(repeating: nil, count: NodeLimits.batchCapacity)
        datagrams = DatagramBatch(capacity: NodeLimits.batchCapacity)
        families = Array(repeating: nil, count: NodeLimits.batchCapacity)
        segmentsSends = offload
        pending = PendingTable(peerLimit: NodeLimits.pendingPeers, packetsPerPeer: NodeLimits.pendingPacketsPerPeer,
                               slotSize: sealing.readArea(at: 0).count,
                               requestInterval: NodeLimits.outboundRequestInterval)
        try poller.register(tun.fileDescriptor, token: Self.tunToken, for: .readable)
    }

    /// The loop: returns after `.stop`. While a super-packet is only partly split, it does not wait for the
    /// TUN to be readable again before going on with it.
    func run() {
        while true {
            let count: Int
            do {
                count = try poller.wait(into: events, timeoutMilliseconds: superPacket == nil ? -1 : 0)
            } catch {
                logger.error("inside path: \(error)")
                return
            }
            var readable = superPacket != nil
            for index in 0..<count {
                if events[index].token == EventPoller.wakeToken {
                    guard handleInbox() else { return }
                } else {
                    readable = true
                }
            }
            if readable { drainTUN() }
        }
    }

    deinit {
        poller.close()
        writable.close()
    }

    // MARK: - Inbox

    /// Applies queued messages; false on `.stop`.
    private func handleInbox() -> Bool {
        for message in inbox.drain() {
            switch message {
            case .install(let install):
                let replaced = database.outbound(peer: install.endpoints.peerHIT)?.tag
                do {
                    _ = try outbound.insert { tag throws(CryptoError) in
                        Outbound(association: try database.installOutbound(
                                     spi: install.spi, suite: install.suite, keys: install.keys,
                                     endpoints: install.endpoints, tag: tag, initialSequence: install.initialSequence),
                                 destination: install.destination)
                    }
                } catch {
                    logger.error("cannot install outbound SA \(hex(install.spi)) to \(install.endpoints.peerHIT): \(error)")
                    continue
                }
                if let replaced { outbound.remove(replaced) }
                flushPending(install.endpoints.peerHIT)
            case .remove(let peer, let spi):
                if let current = database.outbound(peer: peer), current.spi == spi {
                    database.removeOutbound(peer: peer)
                    outbound.remove(current.tag)
                }
            case .move(let peer, let spi, let destination):
                if let current = database.outbound(peer: peer), current.spi == spi {
                    outbound[current.tag].destination = destination
                }
            case .thresholds(let thresholds):
                processor.thresholds = thresholds
            case .discardPending(let peer):
                pending.discard(peer)
            case .peerLSIs(let map):
                peerLSIs = map
            case .snapshot(let reply):
                reply.deliver(snapshot())
            case .stop:
                return false
            }
        }
        return true
    }

    private func snapshot() -> InsideSnapshot {
        var current = counters
        current.tooManyPendingPeers = pending.evictedPackets
        return InsideSnapshot(
            outbound: database.outboundSAs.map {
                .init(peer: $0.endpoints.peerHIT, spi: $0.spi, suite: $0.suite, destination: outbound[$0.tag].destination,
                      counters: $0.counters)
            },
            unassigned: database.outboundCounters,
            pending: pending.snapshot, retiredPendingDrops: pending.retiredDrops,
            counters: current)
    }

    // MARK: - TUN → ESP

    /// Splits, seals and sends batches until the TUN has nothing more or `NodeLimits.batchesPerWakeup`
    /// batches were sent (the poller, level-triggered, reports the TUN again), so SA changes in the inbox are
    /// applied while local applications keep the TUN full.
    private func drainTUN() {
        for _ in 0..<NodeLimits.batchesPerWakeup {
            var filled = 0
            var exhausted = false
            while filled < sealing.capacity {
                guard let current = superPacket else {
                    if readTUN() { continue }
                    exhausted = true
                    break
                }
                sealing.setRead(filled, length: current.write(segment: nextSegment, into: sealing.readArea(at: filled)))
                filled += 1
                nextSegment += 1
                if nextSegment == current.segmentCount { superPacket = nil }
            }
            sealAndSend(filled)
            if exhausted { return }
        }
    }

    /// Reads the next packet from the TUN into `superPacket` (nil when the data plane dropped it as
    /// malformed, counted); false when none waits or the TUN failed.
    private func readTUN() -> Bool {
        let buffer = reads.buffer(at: 0)
        let length: Int?
        do {
            length = try tun.readPacket(into: buffer)
        } catch {
            counters.readErrors += 1
            stopReadingTUN(after: error)
            return false
        }
        guard let length else { return false }
        counters.packetsRead += 1
        superPacket = processor.superPacket(UnsafeRawBufferPointer(rebasing: buffer[..<length]),
                                            maximumSegmentLength: sealing.readArea(at: 0).count)
        nextSegment = 0
        return true
    }

    /// A TUN read that fails (not "no packet": EINTR and EAGAIN never get here) means the device is gone or
    /// broken, e.g. deleted with `ip link del`; the level-triggered poller would report it again at once, so
    /// the path stops reading it instead of spinning, and says so.
    private func stopReadingTUN(after error: SystemError) {
        try? poller.unregister(tun.fileDescriptor)
        logger.critical("inside path: reading the TUN failed (\(error)); no more packets are read from it, restart synaptic")
    }

    /// Seals the packets in slots 0..<count of `sealing` as one batch and sends them in order;
    /// packets without an SA are queued for a base exchange, dropped ones are left out. Each run of one
    /// SA's packets checks that SA's rekey thresholds once.
    private func sealAndSend(_ count: Int) {
        guard count > 0 else { return }
        sealing.count = count
        processor.process(sealing)
        var checked: Int?
        for slot in 0..<count {
            destinations[slot] = nil
            let metadata = sealing[metadata: slot]
            if let drop = metadata.drop {
                if drop == .noSecurityAssociation { queue(UnsafeRawBufferPointer(sealing.packet(at: slot))) }
                continue
            }
            if metadata.peer != checked {
                checked = metadata.peer
                requestRekeyIfDue(metadata.peer)
            }
            destinations[slot] = outbound[metadata.peer].destination
        }
        sealing.count = 0
        prepareDatagrams(count)
        send()
    }

    /// Turns the sealed slots of 0..<count into `datagrams`, in slot order: with `segmentsSends`, each run of
    /// consecutive slots to one destination whose packets have the first one's length (the last may be
    /// shorter) as one UDP_SEGMENT datagram of pieces, at most `NodeLimits.gsoSegments` and `gsoBytes`;
    /// otherwise one datagram per slot.
    private func prepareDatagrams(_ count: Int) {
        datagrams.removeAll()
        var slot = 0
        while slot < count {
            guard let destination = destinations[slot] else {
                slot += 1
                continue
            }
            let size = sealing.length(of: slot)
            var end = slot + 1
            if segmentsSends {
                var bytes = size
                while end < count, end - slot < NodeLimits.gsoSegments, destinations[end] == destination {
                    let length = sealing.length(of: end)
                    guard length <= size, bytes + length <= NodeLimits.gsoBytes else { break }
                    bytes += length
                    end += 1
                    if length < size { break }
                }
            }
            families[datagrams.count] = destination.family
            datagrams.append(UnsafeRawBufferPointer(sealing.packet(at: slot)), to: destination,
                             segmentSize: end - slot > 1 ? size : 0)
            for piece in (slot + 1)..<end { datagrams.appendPiece(UnsafeRawBufferPointer(sealing.packet(at: piece))) }
            slot = end
        }
    }

    /// Tells the control plane, the first time only, that the SA with `tag` reached its rekey thresholds.
    private func requestRekeyIfDue(_ tag: Int) {
        guard !outbound[tag].rekeyWanted else { return }
        let association = outbound[tag].association
        guard processor.thresholds.isReached(bytes: association.counters.bytesOut,
                                             sequence: association.nextSequence) else { return }
        outbound[tag].rekeyWanted = true
        control.post(.rekeyWanted(peer: association.endpoints.peerHIT, spi: association.spi, direction: .outbound))
    }

    /// Queues a packet that has no SA yet for its peer (a HIT, or a known peer's LSI) and asks for a base
    /// exchange (PendingTable decides when); anything else is counted as unroutable.
    private func queue(_ packet: UnsafeRawBufferPointer) {
        guard let peer = destinationPeer(packet) else {
            counters.unroutable += 1
            return
        }
        if pending.queue(packet, for: peer, now: clock.now()),
           !control.post(.outboundData(peer: peer), limit: NodeLimits.controlQueueLimit) {
            counters.exchangeRequestsRefused += 1
        }
    }

    /// The peer HIT a packet without SA is for: its IPv6 destination if that is a HIT, or the HIT of the
    /// peer whose LSI is its IPv4 destination.
    private func destinationPeer(_ packet: UnsafeRawBufferPointer) -> HIT? {
        guard let first = packet.first else { return nil }
        switch first >> 4 {
        case 6 where packet.count >= 40:
            guard let hit = HIT(bytes: packet[24..<40]), hit.isORCHID else { return nil }
            return hit
        case 4 where packet.count >= 20:
            let destination = packet[16..<20].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return peerLSIs[destination]
        default:
            return nil
        }
    }

    /// Seals and sends the packets queued for `peer`, oldest first. Only those queued now: one that still
    /// finds no SA goes back into the queue and is not taken again here.
    private func flushPending(_ peer: HIT) {
        guard let queue = pending.flush(peer) else { return }
        var remaining = queue.count
        while remaining > 0 {
            var filled = 0
            while filled < min(sealing.capacity, remaining),
                  let length = queue.removeFirst(into: sealing.readArea(at: filled)) {
                sealing.setRead(filled, length: length)
                filled += 1
            }
            guard filled > 0 else { return }
            remaining -= filled
            sealAndSend(filled)
        }
    }

    /// Sends `datagrams`, one sendmmsg per run of consecutive datagrams of one address family; a full socket
    /// is waited for at most once per batch.
    private func send() {
        var waited = false
        let count = datagrams.count
        families.forEachRun(upTo: count) { family, run in
            datagrams.count = run.upperBound
            if let socket = family == .v4 ? udp4 : udp6 {
                send(from: run.lowerBound, on: socket, waited: &waited)
            } else {
                for index in run { counters.sendDropped += UInt64(datagrams.pieceCount(at: index)) }
            }
        }
        datagrams.removeAll()
    }

    /// Sends datagrams start..<datagrams.count; if the socket is full, waits briefly for room unless the
    /// batch `waited` already, then drops. Counts in packets (a datagram's pieces).
    private func send(from start: Int, on socket: Transport, waited: inout Bool) {
        var next = start
        while next < datagrams.count {
            do {
                let progress = try socket.send(datagrams, from: next)
                counters.sendRejected += UInt64(progress.rejectedPieces)
                if let refusal = progress.lastRejection?.errno, segmentsSends, [EIO, EINVAL].contains(refusal) {
                    segmentsSends = false
                    logger.notice("inside path: the UDP socket refused a segmented send (\(progress.lastRejection!)); ESP leaves one datagram per packet from now on")
                }
                next = progress.next
            } catch {
                break
            }
            guard next < datagrams.count, !waited else { break }
            waited = true
            guard waitUntilWritable(socket) else { break }
        }
        for index in next..<datagrams.count { counters.sendDropped += UInt64(datagrams.pieceCount(at: index)) }
    }

    /// Waits at most `NodeLimits.sendBlockedWaitMilliseconds` for room in `socket`'s send buffer.
    private func waitUntilWritable(_ socket: Transport) -> Bool {
        guard (try? writable.register(socket.fileDescriptor, token: 1, for: .writable)) != nil else { return false }
        defer { try? writable.unregister(socket.fileDescriptor) }
        let ready = try? writable.wait(into: writableEvents, timeoutMilliseconds: NodeLimits.sendBlockedWaitMilliseconds)
        return (ready ?? 0) > 0
    }
}

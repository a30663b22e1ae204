// OutsidePath: the UDP → TUN direction, on one thread (plus the open workers of its SADatabase).
//
// Stages, per recvmmsg batch of up to 64 datagrams on the shared port (IPv4 and IPv6 sockets):
//   split: with offloads (UDP_GRO) a datagram may be a run of datagrams of one flow, of the segment size the
//     kernel reports (the last may be shorter); each is handled on its own, where it lies in the receive
//     buffer
//   demux (RFC 9028 §5.11): zero marker → HIP: from a known peer's address, or within its Sender's HIT's
//                                         rate (HIPSenderLimiter), copied to the control plane with its
//                                         source and local address (known peers' packets have room of
//                                         their own in its queue)
//                           SPI ≠ 0     → ESP for one of our inbound SAs: copied into the next slot of the
//                                         PacketBatch `opening`, opened below with the batch's other ESP
//                                         datagrams (at once when `opening` is full); its UDP source is
//                                         kept next to it
//                                       → ESP for another SPI that a Data Relay route (RelayTable, RFC 9028
//                                         §4.12.3) matches together with its UDP source (address and port):
//                                         the slot is readied, unchanged, to be sent to the route's other end
//                                       → other ESP: an unknown SPI (below)
//                           0xFF        → NAT keepalive, dropped
//   → relay: the readied datagrams leave from the receive buffers themselves (no copy), one sendmmsg per run
//     of consecutive datagrams of one address family, on that family's socket (the node's shared port); what
//     the socket does not take at once is dropped and counted (the path does not wait: receiving goes on)
//   → open the ESP batch in place (InboundProcessor.process(batch)), three stages:
//     prepare (this thread, in batch order): SA by SPI, anti-replay check
//     open (parallel): ICV, decrypt; packet i on worker i mod n, on the SADatabase's StageWorkers
//       Dispatch queues with this thread as worker 0 (with `dataPlaneWorkers` = 1 it stays on this thread)
//     finish (this thread, in batch order): replay re-check and window update — so per SA the window moves
//       in arrival order — BEET inner IPv6 header rebuilt from the HITs, IPv4/LSI translation when the
//       flow is LSI-based (one we started over an LSI, or one the peer starts towards a port with only an
//       IPv4 socket, ListenerFamilyPolicy)
//   → per opened packet, in batch order: where it came from (ESPSourceReports: the SA's first packet, and a
//     new highest sequence number from another source than the last reported, rate-limited per SA, tell the
//     control plane: `.espSource`, for R2-SENT → ESTABLISHED, a rekey that took, a peer that moved); once
//     per run of one SA's packets: the first time the SA reaches its RekeyThresholds (payload bytes, highest
//     sequence number), `.rekeyWanted`
//   → coalesce (TCPCoalescer, after BEET and LSI translation; with offloads): consecutive TCP segments of a
//     flow become one super-packet; every other packet goes alone; each gets its virtio-net header in the
//     headroom in front of it
//   → TUN write per group, in batch order: the head with its virtio-net header, then the members' payloads,
//     gathered (writev) from the slots where they were opened
//   anything else (too short, cut, unknown SPI, replayed, forged) is dropped and counted, and reports nothing.
// SA and relay route changes arrive in the inbox and are applied first after each wait, before the sockets
// are read; each socket is read for at most `NodeLimits.batchesPerWakeup` batches per wait.
// ESP whose SPI is not installed yet is reported to the control plane (only from known peers' addresses,
// within per-source and total limits: UnknownSPIReportLimiter) and parked (bounded, `NodeLimits.parkedESPAge`
// at most): the peer may send its first ESP right behind the R2 (or I2) that the control plane is still
// processing; installing an inbound SA retries the parked packets (with the source each came from), the
// rest expire as unknown SPIs. A rekey installs the new inbound SA next to the old one, which keeps opening
// packets until it is removed. Nothing is allocated or locked per ESP datagram (opened or relayed) once SAs
// and routes exist.
// The UDP transports and the TUN are generic parameters (DatagramTransport, PacketDevice): UDPSocket and
// TunDevice in the node, called directly per packet; in-memory doubles in the virtual-network tests.
import HIPCore
import HIPCrypto
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// The outside path, receiving on `Transport` (UDP) and writing to `Device` (the TUN). Its thread runs
/// `run()`; other threads only `inbox.post`. Hence `@unchecked Sendable`.
final class OutsidePath<Device: PacketDevice, Transport: DatagramTransport>: @unchecked Sendable {
    let inbox: Inbox<OutsideMessage>
    private let tun: Device
    private let udp4: Transport?
    private let udp6: Transport?
    private let database: SADatabase
    private let processor: InboundProcessor
    private let control: Inbox<ControlMessage>
    private let logger: Logger
    private let clock: any NodeClock
    private let poller: EventPoller
    private let events = ReadyEvents(capacity: 8)
    /// Where datagrams are received (`datagrams`' receive buffers, one slot each: 64 KiB with UDP_GRO).
    private let received: PacketBatch
    private let datagrams: DatagramBatch
    /// The ESP datagrams of a receive to open, copied out of `received`; `espCount` so far.
    private let opening: PacketBatch
    private var espCount = 0
    /// The longest datagram (or GRO segment) handled: an ESP packet that fits a slot, or the largest HIP
    /// packet behind its zero marker; longer ones are counted as oversized.
    private let longestDatagram: Int
    /// Groups the opened packets for the TUN, and the pieces of one TUN write.
    private let coalescer: TCPCoalescer
    private let vectors = IOVectors(capacity: NodeLimits.tunWritePieces)
    /// The UDP source of each ESP datagram attached to `opening`.
    private var espSources: [SocketAddress]
    /// The inbound SAs by tag (freed when the SA is removed or replaced).
    private var inbound = TagTable<Inbound>()
    /// The Data Relay's routes (changed only in `handleInbox`, so a lookup never copies the table).
    private var relayRoutes = RelayTable<SocketAddress>()
    /// The datagrams of a receive readied for relaying (pointing into `received`), and the family of each.
    private let relayed: DatagramBatch
    private var relayFamilies: [AddressFamily?]
    private var thresholds: RekeyThresholds
    private var counters = OutsideCounters()
    /// Which unknown SPIs are reported to the control plane (per source and in all).
    private var unknownSPIReports: UnknownSPIReportLimiter
    /// The addresses of known peers (configured locators, endpoints of past exchanges): their HIP packets
    /// are not limited per sender and have room of their own in the control queue.
    private var peerAddresses: Set<InetAddress> = []
    /// HIP packets from other addresses, per Sender's HIT.
    private var hipSenders: HIPSenderLimiter
    /// ESP packets whose SPI was not (yet) installed.
    private let parked: PendingPackets

    /// An inbound SA, what the control plane was told of its sources, and whether it was told the SA is due
    /// for rekeying.
    private struct Inbound {
        let association: InboundSA
        var sources: ESPSourceReports
        var rekeyWanted = false
    }

    /// - Parameter control: the control plane's inbox.
    /// - Parameter policy: decides the family of flows peers start (nil: IPv6).
    /// - Parameter offload: the sockets coalesce datagrams (UDP_GRO), and TCP segments are coalesced for
    ///   the TUN.
    /// - Parameter clock: arrival times (read once per received batch).
    init(tun: Device, udp4: Transport?, udp6: Transport?, database: SADatabase, flows: LSIFlowTable,
         policy: (any InboundFlowPolicy)?, mtu: Int, offload: Bool, thresholds: RekeyThresholds, logger: Logger,
         control: Inbox<ControlMessage>, clock: any NodeClock = MonotonicClock()) throws(SystemError) {
        self.tun = tun
        self.clock = clock
        unknownSPIReports = UnknownSPIReportLimiter(now: clock.now())
        hipSenders = HIPSenderLimiter(now: clock.now())
        self.udp4 = udp4
        self.udp6 = udp6
        self.database = database
        self.processor = InboundProcessor(database: database, flows: flows, policy: policy)
        self.control = control
        self.thresholds = thresholds
        self.logger = logger
        poller = try EventPoller()
        inbox = Inbox(poller: poller)
        let bufferSize = NodeLimits.bufferSize(mtu: mtu)
        received = PacketBatch(capacity: NodeLimits.batchCapacity,
                               bufferSize: offload ? max(NodeLimits.groReceiveBufferSize, bufferSize) : bufferSize)
        datagrams = DatagramBatch(capacity: NodeLimits.batchCapacity)
        for index in 0..<received.capacity { datagrams.setReceiveBuffer(at: index, received.buffer(at: index)) }
        opening = PacketBatch(capacity: NodeLimits.batchCapacity, bufferSize: bufferSize)
        coalescer = TCPCoalescer(capacity: NodeLimits.batchCapacity, coalescing: offload)
        longestDatagram = max(opening.readArea(at: 0).count,
                              NodeProtocol.udpZeroMarkerLength + NodeProtocol.maximumHIPPacketLength)
        espSources = Array(repeating: SocketAddress(.v4(IPv4Address(0)), port: 0), count: NodeLimits.batchCapacity)
        relayed = DatagramBatch(capacity: NodeLimits.batchCapacity)
        relayFamilies = Array(repeating: nil, count: NodeLimits.batchCapacity)
        parked = PendingPackets(capacity: NodeLimits.parkedESPPackets, slotSize: opening.readArea(at: 0).count)
        if let udp4 { try poller.register(udp4.fileDescriptor, token: 4, for: .readable) }
        if let udp6 { try poller.register(udp6.fileDescriptor, token: 6, for: .readable) }
    }

    deinit {
        poller.close()
    }

    /// The loop: returns after `.stop`.
    func run() {
        while true {
            let count: Int
            do {
                count = try poller.wait(into: events, timeoutMilliseconds: parkedTimeout())
            } catch {
                logger.error("outside path: \(error)")
                return
            }
            var (wake, readable4, readable6) = (false, false, false)
            for index in 0..<count {
                switch events[index].token {
                case EventPoller.wakeToken: wake = true
                case 4: readable4 = true
                default: readable6 = true
                }
            }
            // SA changes first: an SA installed for a packet already waiting in a socket must be there.
            if wake {
                guard handleInbox() else { return }
            }
            if readable4, let udp4 { drain(udp4) }
            if readable6, let udp6 { drain(udp6) }
            expireParked(now: clock.now())
        }
    }

    /// Milliseconds until the oldest parked packet expires, or -1 when none is parked.
    private func parkedTimeout() -> Int32 {
        guard let oldest = parked.oldestArrival else { return -1 }
        return (oldest + NodeLimits.parkedESPAge).timeoutMilliseconds(from: clock.now())
    }

    /// Drops parked packets older than `NodeLimits.parkedESPAge` (counted as unknown SPIs).
    private func expireParked(now: Instant) {
        while let oldest = parked.oldestArrival, now - oldest >= NodeLimits.parkedESPAge { parked.dropFirst() }
    }

    /// Retries every parked packet once: those whose SA now exists are opened (in `opening`, as received
    /// ones are), the others parked again.
    private func retryParked(now: Instant) {
        for _ in 0..<parked.count {
            guard let arrival = parked.oldestArrival, let source = parked.oldestSource else { break }
            if espCount == opening.capacity { openESP(now: now) }
            let area = opening.readArea(at: espCount)
            guard let length = parked.removeFirst(into: area) else { break }
            let spi = UInt32(bigEndian: area.loadUnaligned(as: UInt32.self))
            if database.inbound(spi: spi) != nil {
                opening.setRead(espCount, length: length)
                espSources[espCount] = source
                espCount += 1
            } else {
                parked.append(UnsafeRawBufferPointer(rebasing: area[..<length]), arrival: arrival, source: source)
            }
        }
        openESP(now: now)
    }

    // MARK: - Inbox

    private func handleInbox() -> Bool {
        for message in inbox.drain() {
            switch message {
            case .install(let install):
                let replaced = database.inbound(spi: install.spi)?.tag
                do {
                    _ = try inbound.insert { tag throws(CryptoError) in
                        Inbound(association: try database.installInbound(spi: install.spi, suite: install.suite,
                                                                         keys: install.keys,
                                                                         endpoints: install.endpoints, tag: tag),
                                sources: ESPSourceReports(now: clock.now()))
                    }
                    if let replaced { inbound.remove(replaced) }
                } catch {
                    logger.error("cannot install inbound SA \(hex(install.spi)) from \(install.endpoints.peerHIT): \(error)")
                }
                retryParked(now: clock.now())
            case .remove(let spi):
                if let removed = database.removeInbound(spi: spi) { inbound.remove(removed.tag) }
            case .thresholds(let thresholds):
                self.thresholds = thresholds
            case .peerAddresses(let addresses):
                peerAddresses = addresses
                unknownSPIReports.peerAddresses = addresses
            case .relay(let client, let routes):
                let refused = relayRoutes.replace(client: client, routes: routes)
                if refused > 0 {
                    logger.notice("relay: \(refused) ESP directions \(client) asked for are another client's")
                }
            case .snapshot(let reply):
                var current = counters
                current.parkedExpired = parked.drops.exchangeFailed
                reply.deliver(OutsideSnapshot(
                    inbound: database.inboundSAs.map { .init(peer: $0.endpoints.peerHIT, spi: $0.spi, counters: $0.counters) },
                    unassigned: database.inboundCounters, counters: current, relayRoutes: relayRoutes.routeCount,
                    relayClients: relayRoutes.clientCount))
            case .stop:
                return false
            }
        }
        return true
    }

    // MARK: - UDP → TUN

    /// Receives and handles batches until the socket has nothing more or `NodeLimits.batchesPerWakeup`
    /// batches were read (the poller, level-triggered, reports the socket again), so a flood on one socket
    /// cannot starve the inbox, the other socket or the parked packets' expiry.
    private func drain(_ socket: Transport) {
        for _ in 0..<NodeLimits.batchesPerWakeup {
            let received: Int
            do {
                received = try socket.receive(into: datagrams)
            } catch {
                counters.receiveErrors += 1
                return
            }
            let now = clock.now()
            for index in 0..<received {
                guard !datagrams.isTruncated(at: index) else {
                    counters.datagrams += 1
                    counters.oversized += 1
                    continue
                }
                let bytes = datagrams.packet(at: index)
                let size = datagrams.segmentSize(at: index).map { max($0, 1) } ?? max(bytes.count, 1)
                for start in stride(from: 0, to: max(bytes.count, 1), by: size) {
                    handle(UnsafeMutableRawBufferPointer(rebasing: bytes[start..<min(start + size, bytes.count)]),
                           of: index, now: now)
                }
            }
            sendRelayed()
            openESP(now: now)
            if received < datagrams.capacity { return }
        }
    }

    /// Demuxes `packet`, one UDP datagram (or one segment of a coalesced one) of received datagram `index`.
    private func handle(_ packet: UnsafeMutableRawBufferPointer, of index: Int, now: Instant) {
        counters.datagrams += 1
        guard packet.count <= longestDatagram else {
            counters.oversized += 1
            return
        }
        switch UDPPayload.classify(UnsafeRawBufferPointer(packet)) {
        case .esp(let spi):
            guard let source = datagrams.peer(at: index) else {
                counters.invalid += 1
                return
            }
            if database.inbound(spi: spi) == nil {
                if let destination = relayRoutes.destination(spi: spi, from: source) {
                    relay(UnsafeRawBufferPointer(packet), to: destination)
                    return
                }
                reportUnknownSPI(source.address, now: now)
                // Parked if there is room (else the processor counts it as an unknown SPI right away).
                if parked.append(UnsafeRawBufferPointer(packet), arrival: now, source: source) { return }
            }
            guard packet.count <= opening.readArea(at: 0).count else {
                counters.oversized += 1
                return
            }
            if espCount == opening.capacity { openESP(now: now) }
            opening.readArea(at: espCount).copyMemory(from: UnsafeRawBufferPointer(packet))
            opening.setRead(espCount, length: packet.count)
            espSources[espCount] = source
            espCount += 1
        case .hip(let offset):
            guard let source = datagrams.peer(at: index), let destination = datagrams.destination(at: index) else {
                counters.invalid += 1
                return
            }
            let hip = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(packet)[offset...])
            let known = peerAddresses.contains(source.address)
            guard known || hipSenders.admit(hip, now: now) else {
                counters.hipSenderLimited += 1
                return
            }
            let message = ControlMessage.packet(
                bytes: Array(hip),
                source: Endpoint(address: IPAddress(source.address), transport: .udp(port: source.port)),
                destination: IPAddress(destination))
            let limit = NodeLimits.controlQueueLimit + (known ? NodeLimits.knownSourceQueueReserve : 0)
            if control.post(message, limit: limit) {
                counters.hipPackets += 1
            } else {
                counters.hipQueueFull += 1
            }
        case .natKeepalive:
            counters.natKeepalives += 1
        case .invalid:
            counters.invalid += 1
        }
    }

    /// Readies `datagram`, which a relay route matched, to be sent unchanged to `destination` with the
    /// receive's other relayed datagrams (counted as relayed).
    private func relay(_ datagram: UnsafeRawBufferPointer, to destination: SocketAddress) {
        if relayed.count == relayed.capacity { sendRelayed() }
        relayFamilies[relayed.count] = destination.family
        relayed.append(datagram, to: destination)
        counters.relayedPackets += 1
        counters.relayedBytes += UInt64(datagram.count)
    }

    /// Sends the datagrams readied for relaying: one sendmmsg per run of one address family, on that
    /// family's socket. Datagrams the socket refuses or has no room for are dropped and counted; the path
    /// does not wait for room (it would stop receiving meanwhile).
    private func sendRelayed() {
        let count = relayed.count
        guard count > 0 else { return }
        relayFamilies.forEachRun(upTo: count) { family, run in
            relayed.count = run.upperBound
            var next = run.lowerBound
            if let socket = family == .v4 ? udp4 : udp6, let progress = try? socket.send(relayed, from: run.lowerBound) {
                counters.relaySendFailures += UInt64(progress.rejected)
                next = progress.next
            }
            counters.relaySendFailures += UInt64(run.upperBound - next)
        }
        relayed.removeAll()
    }

    /// Opens the ESP packets copied into `opening` as one batch and writes the inner packets to the TUN in
    /// order; each run of one SA's packets checks that SA's rekey thresholds once. Drops are counted by the
    /// data plane.
    private func openESP(now: Instant) {
        guard espCount > 0 else { return }
        opening.count = espCount
        espCount = 0
        processor.process(opening, hopLimit: NodeProtocol.innerHopLimit)
        var checked: Int?
        for index in 0..<opening.count {
            let metadata = opening[metadata: index]
            guard metadata.drop == nil else { continue }
            observe(tag: metadata.peer, sequence: metadata.sequence, source: espSources[index], now: now)
            if metadata.peer != checked {
                checked = metadata.peer
                requestRekeyIfDue(metadata.peer)
            }
        }
        writeOpened()
        opening.count = 0
    }

    /// Writes the opened packets of `opening` to the TUN: the coalescer's groups, in batch order, one write
    /// (gathered from the slots) per group. A group the TUN refuses is counted packet by packet.
    private func writeOpened() {
        coalescer.coalesce(opening)
        for index in 0..<opening.count where coalescer.isHead(index) {
            vectors.removeAll()
            vectors.append(coalescer.head(index, in: opening))
            var member = coalescer.member(after: index)
            while let current = member {
                vectors.append(coalescer.payload(current, in: opening))
                member = coalescer.member(after: current)
            }
            if (try? tun.write(vectors)) != true { counters.tunDropped += UInt64(coalescer.packetCount(index)) }
        }
    }

    /// Tells the control plane where an SA's ESP comes from, if that is news (ESPSourceReports).
    private func observe(tag: Int, sequence: UInt64, source: SocketAddress, now: Instant) {
        switch inbound[tag].sources.observe(sequence: sequence, from: source, now: now) {
        case .unchanged:
            break
        case .report:
            let association = inbound[tag].association
            control.post(.espSource(peer: association.endpoints.peerHIT, spi: association.spi, source: source))
        case .suppressed:
            counters.sourceReportsSuppressed += 1
        }
    }

    /// Tells the control plane, the first time only, that the SA with `tag` reached its rekey thresholds.
    private func requestRekeyIfDue(_ tag: Int) {
        guard !inbound[tag].rekeyWanted else { return }
        let association = inbound[tag].association
        guard thresholds.isReached(bytes: association.counters.bytesIn, sequence: association.window.top) else { return }
        inbound[tag].rekeyWanted = true
        control.post(.rekeyWanted(peer: association.endpoints.peerHIT, spi: association.spi, direction: .inbound))
    }

    /// Tells the control plane where an unknown SPI came from (a peer may still use SAs of our previous
    /// run), if that is a known peer's address, within the per-source and total limits of
    /// UnknownSPIReportLimiter (a flood costs a bounded number of messages and does not hide the others).
    private func reportUnknownSPI(_ source: InetAddress, now: Instant) {
        guard unknownSPIReports.admit(source, now: now) else { return }
        _ = control.post(.unknownSPI(source: IPAddress(source)), limit: NodeLimits.controlQueueLimit)
    }
}

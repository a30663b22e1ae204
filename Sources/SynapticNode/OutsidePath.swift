// OutsidePath: the UDP → TUN direction, on one thread.
//
// Stages, per recvmmsg batch of up to 64 datagrams on the shared port (IPv4 and IPv6 sockets):
//   demux (RFC 9028 §5.11): zero marker → HIP: copied to the control plane with its source and local address
//                           SPI ≠ 0     → ESP: open in place (InboundProcessor: SA by SPI, anti-replay check,
//                                         ICV, decrypt, window update, BEET inner IPv6 header rebuilt from
//                                         the HITs, IPv4/LSI translation when the flow was LSI-based)
//                                         → TUN write; the first packet of an SA tells the control plane
//                                         (R2-SENT → ESTABLISHED)
//                           0xFF        → NAT keepalive, dropped
//   anything else (too short, cut, unknown SPI, replayed, forged) is dropped and counted.
// SA changes arrive in the inbox and are applied between batches.
import HIPCore
import HIPWire
import Logging
import SynapticDataPlane
import SynapticPlatform

/// The outside path. Its thread runs `run()`; other threads only `inbox.post`. Hence `@unchecked Sendable`.
final class OutsidePath: @unchecked Sendable {
    let inbox: Inbox<OutsideMessage>
    private let tun: TunDevice
    private let udp4: UDPSocket?
    private let udp6: UDPSocket?
    private let database: SADatabase
    private let processor: InboundProcessor
    private let control: Inbox<ControlMessage>
    private let logger: Logger
    private let poller: EventPoller
    private let events = ReadyEvents(capacity: 8)
    private let batch: DatagramBatch
    /// Whether the first ESP packet of the SA with this tag was reported to the control plane.
    private var trafficReported: [Bool] = []
    private var counters = OutsideCounters()
    /// When an unknown SPI was last reported to the control plane.
    private var lastUnknownSPIReport = Instant.zero

    /// - Parameter control: the control plane's inbox.
    init(tun: TunDevice, udp4: UDPSocket?, udp6: UDPSocket?, database: SADatabase, flows: LSIFlowTable, mtu: Int,
         logger: Logger, control: Inbox<ControlMessage>) throws(SystemError) {
        self.tun = tun
        self.udp4 = udp4
        self.udp6 = udp6
        self.database = database
        self.processor = InboundProcessor(database: database, flows: flows)
        self.control = control
        self.logger = logger
        poller = try EventPoller()
        inbox = Inbox(poller: poller)
        batch = DatagramBatch(capacity: NodeLimits.batchCapacity, bufferSize: NodeLimits.bufferSize(mtu: mtu),
                              headroom: NodeLimits.headroom)
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
                count = try poller.wait(into: events, timeoutMilliseconds: -1)
            } catch {
                logger.error("outside path: \(error)")
                return
            }
            for index in 0..<count {
                let event = events[index]
                switch event.token {
                case EventPoller.wakeToken:
                    guard handleInbox() else { return }
                case 4:
                    if let udp4 { drain(udp4) }
                default:
                    if let udp6 { drain(udp6) }
                }
            }
        }
    }

    // MARK: - Inbox

    private func handleInbox() -> Bool {
        for message in inbox.drain() {
            switch message {
            case .install(let install):
                let tag = trafficReported.count
                trafficReported.append(false)
                do {
                    try database.installInbound(spi: install.spi, suite: install.suite, keys: install.keys,
                                                endpoints: install.endpoints, tag: tag)
                } catch {
                    logger.error("cannot install inbound SA \(hex(install.spi)) from \(install.endpoints.peerHIT): \(error)")
                }
            case .remove(let spi):
                database.removeInbound(spi: spi)
            case .snapshot(let reply):
                reply.deliver(OutsideSnapshot(
                    inbound: database.inboundSAs.map { .init(peer: $0.endpoints.peerHIT, spi: $0.spi, counters: $0.counters) },
                    unassigned: database.inboundCounters, counters: counters))
            case .stop:
                return false
            }
        }
        return true
    }

    // MARK: - UDP → TUN

    /// Receives and handles batches until the socket has nothing more.
    private func drain(_ socket: UDPSocket) {
        while true {
            let received: Int
            do {
                received = try socket.receive(into: batch)
            } catch {
                counters.receiveErrors += 1
                return
            }
            for index in 0..<received { handle(index) }
            if received < batch.capacity { return }
        }
    }

    private func handle(_ index: Int) {
        counters.datagrams += 1
        guard !batch.isTruncated(at: index) else {
            counters.oversized += 1
            return
        }
        let packet = batch.packet(at: index)
        switch UDPPayload.classify(UnsafeRawBufferPointer(packet)) {
        case .esp:
            open(index, length: packet.count)
        case .hip(let offset):
            guard let source = batch.peer(at: index), let destination = batch.destination(at: index) else {
                counters.invalid += 1
                return
            }
            let message = ControlMessage.packet(
                bytes: Array(packet[offset...]),
                source: Endpoint(address: IPAddress(source.address), transport: .udp(port: source.port)),
                destination: IPAddress(destination))
            if control.post(message, limit: NodeLimits.controlQueueLimit) {
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

    /// Opens the ESP packet in slot `index` in place and writes the inner packet to the TUN.
    private func open(_ index: Int, length: Int) {
        let buffer = batch.buffer(at: index)
        let opened: OpenedPacket
        do {
            opened = try processor.process(buffer, offset: batch.headroom, length: length,
                                           hopLimit: NodeProtocol.innerHopLimit)
        } catch {
            // Counted by the data plane. An unknown SPI may be a peer still using SAs of our previous run.
            if error.dropReason == .unknownSPI { reportUnknownSPI(index) }
            return
        }
        if !trafficReported[opened.tag] {
            trafficReported[opened.tag] = true
            if let association = database.inbound(spi: opened.spi) {
                control.post(.traffic(peer: association.endpoints.peerHIT))
            }
        }
        let inner = UnsafeRawBufferPointer(rebasing: buffer[opened.offset..<opened.offset + opened.length])
        if (try? tun.writePacket(inner)) != true { counters.tunDropped += 1 }
    }

    /// Tells the control plane where an unknown SPI came from, at most every
    /// `NodeLimits.unknownSPIReportInterval` (a flood costs one message per interval).
    private func reportUnknownSPI(_ index: Int) {
        let now = MonotonicClock.now()
        guard now - lastUnknownSPIReport >= NodeLimits.unknownSPIReportInterval, let source = batch.peer(at: index) else {
            return
        }
        lastUnknownSPIReport = now
        _ = control.post(.unknownSPI(source: IPAddress(source.address)), limit: NodeLimits.controlQueueLimit)
    }
}

// FuzzedHost: A (Fixture.prototype) during one HIPHostFuzzer input: each record becomes one
// `HIPHost.handle(_:now:)` call, after the clock moved on by the record's step.
//
// Record header bits:
//   0–1  kind: 0 HIP over raw IP (the harness fills in the checksum), 1 UDP datagram (the outside path's
//        demux: UDPPayload.classify, then the HIP packet after the zero marker), 2 event (below),
//        3 HIP over raw IP as it is (checksum unchanged)
//   2–4  source: Fixture.sources[0...5], or from the body: 6 an IPv6 address (16 bytes) and a port,
//        7 an IPv4 address (4 bytes) and a port; the packet arrives on A's address of the same family
//   5–7  clock step: Fixture.steps[0...6], or 7 milliseconds from the body (32 bits)
// Body: source fields, step field, then the packet, datagram or event:
//   event kind (byte, EventKind) ‖ peer selector (byte: bits 0–1 B, C, a HIT from the body (16 bytes), A
//   itself; bit 2 the endpoint is UDP, else raw IP; the endpoint is the record's source) ‖ arguments: SPI
//   (32 bits) for espReceived, address mask (byte: A's three addresses, the source) for
//   localAddressesChanged, sent and received counts (64 bits each) for trafficCounts.
// After a timer, A is timed again at once while it asks to wake at or before now, as the node's loop does.
// Checks (a failure traps): every packet A sends parses (strict), and such re-fired timers settle: within
// `timerRefires` the next wake-up is later than now (else the node would spin on its timer).
import FuzzSupport
import HIPCore
import HIPWire

/// The fuzzed host and its clock.
struct FuzzedHost {
    enum Kind: UInt8 {
        case rawPacket = 0, udpDatagram, event, rawPacketUnchecked
    }

    enum EventKind: UInt8, CaseIterable {
        case timer = 0, outboundData, restartExchange, close, rekey, espReceived, localAddressesChanged,
             peerLocators, trafficCounts
    }

    /// Timers fired again at the same instant before A must have settled.
    static let timerRefires = 4

    private(set) var host: HIPHost
    private(set) var now: Instant

    /// A copy of the prototype at the start instant, with A's randomness and SPIs restarted.
    static func fresh() -> FuzzedHost {
        let host = Fixture.prototype
        Fixture.restartInput()
        return FuzzedHost(host: host, now: Fixture.start)
    }

    /// A record header.
    static func header(_ kind: Kind, source: Int, step: Int = 0) -> UInt8 {
        kind.rawValue | UInt8(source) << 2 | UInt8(step) << 5
    }

    /// Hands `record` to the host and returns its actions.
    @discardableResult
    mutating func apply(_ record: Record) -> [Action] {
        var fields = FieldReader(record.body)
        let source = Self.source(Int(record.header >> 2 & 7), &fields)
        let step = Int(record.header >> 5)
        now = now + (step < Fixture.steps.count ? Fixture.steps[step] : .milliseconds(fields.integer(UInt32.self)))
        let destination = Fixture.ownAddress(facing: source.address)
        let kind = Kind(rawValue: record.header & 3)!
        let event: Event
        switch kind {
        case .rawPacket, .rawPacketUnchecked:
            var bytes = fields.rest()
            if kind == .rawPacket {
                HIPChecksum.fill(&bytes, source: source.address, destination: destination)
            }
            event = .packet(bytes: bytes, source: Endpoint(address: source.address, transport: .raw),
                            destination: destination)
        case .udpDatagram:
            let datagram = fields.rest()
            guard case .hip(let offset) = datagram.withUnsafeBytes(UDPPayload.classify) else { return [] }
            event = .packet(bytes: Array(datagram[offset...]),
                            source: Endpoint(address: source.address, transport: .udp(port: source.port)),
                            destination: destination)
        case .event:
            event = Self.event(&fields, source: source)
        }
        var actions = host.handle(event, now: now)
        check(actions)
        if case .timer = event { actions += refireWhileDue(after: actions) }
        return actions
    }

    /// Fires the timer again while the last wake-up A asked for is not later than now; returns the actions.
    private mutating func refireWhileDue(after actions: [Action]) -> [Action] {
        var wake = Self.wake(in: actions)
        var refired: [Action] = []
        for _ in 0..<Self.timerRefires {
            guard let due = wake, due <= now else { return refired }
            let more = host.handle(.timer, now: now)
            check(more)
            refired += more
            wake = Self.wake(in: more) ?? wake
        }
        require(wake.map { $0 > now } ?? true, "after \(Self.timerRefires + 1) timers at \(now) A still asks to wake at \(wake!)")
        return refired
    }

    private static func wake(in actions: [Action]) -> Instant? {
        actions.compactMap { if case .wake(let at) = $0 { at } else { nil } }.last
    }

    private static func source(_ index: Int, _ fields: inout FieldReader) -> Fixture.Source {
        switch index {
        case 6:
            Fixture.Source(address: IPAddress(bytes: fields.bytes(16))!, port: fields.integer())
        case 7:
            Fixture.Source(address: IPAddress(bytes: fields.bytes(4))!, port: fields.integer())
        default:
            Fixture.sources[index]
        }
    }

    private static func event(_ fields: inout FieldReader, source: Fixture.Source) -> Event {
        let kind = EventKind(rawValue: fields.byte() % UInt8(EventKind.allCases.count))!
        let selector = fields.byte()
        let peer: HIT
        switch selector & 3 {
        case 0, 1: peer = Fixture.peerHITs[Int(selector & 1)]
        case 2: peer = HIT(bytes: fields.bytes(16))!
        default: peer = Fixture.prototype.localHIT
        }
        let endpoint = Endpoint(address: source.address, transport: selector & 4 != 0 ? .udp(port: source.port) : .raw)
        switch kind {
        case .timer: return .timer
        case .outboundData: return .outboundData(peer: peer, endpoints: [endpoint])
        case .restartExchange: return .restartExchange(peer: peer, endpoints: [endpoint])
        case .close: return .close(peer: peer)
        case .rekey: return .rekey(peer: peer)
        case .espReceived: return .espReceived(peer: peer, spi: fields.integer(), source: endpoint)
        case .localAddressesChanged:
            let mask = fields.byte()
            let candidates = Fixture.ownAddresses + [source.address]
            return .localAddressesChanged(candidates.indices.filter { mask >> $0 & 1 != 0 }.map { candidates[$0] })
        case .peerLocators: return .peerLocators(peer: peer, endpoints: [endpoint])
        case .trafficCounts:
            return .trafficCounts([peer: TrafficCount(sent: fields.integer(), received: fields.integer())])
        }
    }

    private func check(_ actions: [Action]) {
        for case .send(let packet) in actions {
            do {
                _ = try HIPPacket.parse(packet.bytes)
            } catch {
                fatalError("A sent a \(packet.type) packet that does not parse: \(error)")
            }
        }
    }
}

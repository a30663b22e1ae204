// CoreBenchmarks: CPU time and mallocs of the protocol core (HIPCore with HIPWire and HIPCrypto), release build.
//
//  Base exchange        one complete I1/R1/I2/R2 between two in-memory hosts (ECDSA P-256 identities, DH
//                       group 7, puzzle K=1), with the CPU time of each side as custom metrics
//  UPDATE: move         an established Initiator takes a new address: UPDATE(LOCATOR_SET) → UPDATE(ACK,
//                       ECHO_REQUEST_SIGNED) → UPDATE(ACK, ECHO_RESPONSE_SIGNED), both sides (3 signatures,
//                       3 verifications), until the Responder sends ESP to the new address
//  UPDATE: rekey        a rekey with a new Diffie-Hellman (group 7) both ways, both sides
//  I1 handling          a Responder turning an I1 into an R1 from its precomputed pool (parse, checks, #I,
//                       copy and patch of the template)
//  parse / serialize    HIPPacket.parse and HIPPacket.serialize of each packet of the exchange
//  empty iteration      the harness's own mallocs and time per iteration (subtract from the others)
//
// Run: cd Perf && swift package --allow-writing-to-package-directory benchmark --target CoreBenchmarks
import Benchmark
import Glibc
import HIPCore
import HIPCrypto
import HIPWire
import Synchronization

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.cpuTotal, .wallClock, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        maxDuration: .seconds(3),
        maxIterations: 100_000)

    guard let fixture = try? Fixture() else {
        fatalError("CoreBenchmarks: could not prepare hosts")
    }

    /// A benchmark of one exchange between copies of two hosts, with each side's CPU time as a metric.
    func bothSides(_ name: String, hosts: (HIPHost, HIPHost),
                   _ exchange: @escaping @Sendable (inout HIPHost, inout HIPHost) -> (Int, Int)) {
        Benchmark(name, configuration: .init(metrics: [.cpuTotal, .wallClock, .mallocCountTotal, .throughput,
                                                       Fixture.initiatorCPU, Fixture.responderCPU])) { benchmark in
            for _ in benchmark.scaledIterations {
                var (initiator, responder) = hosts
                let (initiatorNanoseconds, responderNanoseconds) = exchange(&initiator, &responder)
                benchmark.measurement(Fixture.initiatorCPU, initiatorNanoseconds)
                benchmark.measurement(Fixture.responderCPU, responderNanoseconds)
                blackHole(responder)
            }
        }
    }

    bothSides("Base exchange, both sides (ECDSA P-256, group 7, K=1)", hosts: (fixture.initiator, fixture.responder)) {
        fixture.exchange(&$0, &$1)
    }
    bothSides("UPDATE: a move verified (3 UPDATEs, both sides)", hosts: fixture.established) {
        Fixture.run(&$0, &$1, initiator: fixture.movedEndpoint, responder: fixture.responderEndpoint,
                    first: .localAddressesChanged([fixture.movedEndpoint.address])) { _, _ in }
    }
    bothSides("UPDATE: a rekey with a new DH, group 7 (3 UPDATEs, both sides)", hosts: fixture.established) {
        Fixture.run(&$0, &$1, initiator: fixture.initiatorEndpoint, responder: fixture.responderEndpoint,
                    first: .rekey(peer: $1.localHIT)) { _, _ in }
    }

    Benchmark("Empty iteration (harness baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(benchmark)
        }
    }

    Benchmark("I1 handling: I1 in, R1 from the pool out") { benchmark in
        var responder = fixture.responder
        for _ in benchmark.scaledIterations {
            blackHole(responder.handle(.packet(bytes: fixture.packets.i1, source: fixture.initiatorEndpoint,
                                               destination: fixture.responderAddress), now: .zero))
        }
    }

    for (name, bytes) in fixture.packets.all {
        Benchmark("Parse \(name) (\(bytes.count) bytes)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try HIPPacket.parse(bytes))
            }
        }
        guard let packet = try? HIPPacket.parse(bytes) else { fatalError("CoreBenchmarks: \(name) does not parse") }
        Benchmark("Serialize \(name) (\(bytes.count) bytes)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(packet.serialize())
            }
        }
    }
}

/// Two hosts ready to run an exchange (their R1 pools are prepared once), and one recorded exchange.
struct Fixture: Sendable {
    static let initiatorCPU = BenchmarkMetric.custom("Initiator CPU (ns)", polarity: .prefersSmaller)
    static let responderCPU = BenchmarkMetric.custom("Responder CPU (ns)", polarity: .prefersSmaller)

    let initiator: HIPHost
    let responder: HIPHost
    let initiatorEndpoint = Endpoint(address: .v4(0xC000_0201), transport: .udp(port: 10500))
    let responderEndpoint = Endpoint(address: .v4(0xC000_0202), transport: .udp(port: 10500))
    /// Where the Initiator moves in the UPDATE benchmark.
    let movedEndpoint = Endpoint(address: .v4(0xC000_0265), transport: .udp(port: 10500))
    /// Both hosts after one exchange (ESTABLISHED on both: the Responder saw an UPDATE-free ESP report).
    let established: (HIPHost, HIPHost)
    var responderAddress: IPAddress { responderEndpoint.address }
    var initiatorAddress: IPAddress { initiatorEndpoint.address }
    let packets: Packets

    struct Packets: Sendable {
        var i1: [UInt8] = [], r1: [UInt8] = [], i2: [UInt8] = [], r2: [UInt8] = []
        var all: [(String, [UInt8])] { [("I1", i1), ("R1", r1), ("I2", i2), ("R2", r2)] }
    }

    init() throws {
        var settings = HostSettings()
        settings.dhGroups = [.nistP256]
        settings.puzzleDifficulty = 1
        settings.r1RatePerSecond = Int.max
        settings.r1RatePerSourcePerSecond = Int.max
        let spis = CountingSPIs()
        initiator = try HIPHost(identity: try HostIdentity.generate(.ecdsaP256), settings: settings, spis: spis,
                                policy: AllowedPeers.anyone, now: .zero)
        responder = try HIPHost(identity: try HostIdentity.generate(.ecdsaP256), settings: settings, spis: spis,
                                policy: AllowedPeers.anyone, now: .zero)
        var a = initiator, b = responder
        var recorded = Packets()
        _ = Self.run(&a, &b, initiator: initiatorEndpoint, responder: responderEndpoint) { type, bytes in
            switch type {
            case .i1: recorded.i1 = bytes
            case .r1: recorded.r1 = bytes
            case .i2: recorded.i2 = bytes
            case .r2: recorded.r2 = bytes
            default: break
            }
        }
        guard a.association(for: b.localHIT)?.state == .established,
              let spi = b.association(for: a.localHIT)?.inboundSPI else { throw FixtureError() }
        _ = b.handle(.espReceived(peer: a.localHIT, spi: spi, source: initiatorEndpoint), now: .zero)
        established = (a, b)
        packets = recorded
    }

    /// Runs one exchange on copies of the hosts; returns the thread CPU time each side spent, in ns.
    func exchange(_ initiator: inout HIPHost, _ responder: inout HIPHost) -> (Int, Int) {
        Self.run(&initiator, &responder, initiator: initiatorEndpoint, responder: responderEndpoint) { _, _ in }
    }

    /// Hands `first` (default: outbound data, starting a base exchange) to the Initiator and delivers every
    /// packet until none is left; returns the thread CPU time each side spent, in ns.
    static func run(_ initiator: inout HIPHost, _ responder: inout HIPHost, initiator from: Endpoint,
                    responder to: Endpoint, first: Event? = nil,
                    record: (PacketType, [UInt8]) -> Void) -> (Int, Int) {
        var cpu = (0, 0)
        var pending = [(0, first ?? Event.outboundData(peer: responder.localHIT, endpoints: [to]))]
        while !pending.isEmpty {
            let (side, event) = pending.removeFirst()
            let start = threadCPU()
            let actions = side == 0 ? initiator.handle(event, now: .zero) : responder.handle(event, now: .zero)
            let spent = threadCPU() - start
            if side == 0 { cpu.0 += spent } else { cpu.1 += spent }
            for case .send(let packet) in actions {
                record(packet.type, packet.bytes)
                let target = side == 0 ? 1 : 0
                pending.append((target, .packet(bytes: packet.bytes, source: side == 0 ? from : to,
                                                destination: (side == 0 ? to : from).address)))
            }
        }
        return cpu
    }

    private static func threadCPU() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return time.tv_sec * 1_000_000_000 + time.tv_nsec
    }
}

struct FixtureError: Error {}

/// Sequential SPIs (the benchmark makes millions; a random allocator would keep them all).
final class CountingSPIs: SPIAllocator {
    private let next = Mutex<UInt32>(256)
    func allocate(excluding: UInt32?) -> UInt32? {
        next.withLock { value in
            value = value == .max ? 256 : value + 1
            if value == excluding { value += 1 }
            return value
        }
    }
    func release(_ spi: UInt32) {}
}

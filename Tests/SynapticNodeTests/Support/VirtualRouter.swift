// VirtualRouter: the network between the virtual hosts (tier 3 of ARCHITECTURE.md): it carries UDP
// datagrams between MemoryTransports by destination address.
//
//   route(bytes, from: transport, to: destination)
//     → source: the transport's current address (`move` changes it: the host moved)
//     → NAT: a source behind a translated address leaves as <public address>:<port mapped on first use>
//       (endpoint-independent mapping), and the destination is remembered for filtering
//     → the rule decides: deliver, drop, duplicate, or hold back (delivered after the next datagram: reordered)
//     → NAT back: a datagram to a mapped public port goes to the private address and port behind it (a
//       filtering NAT only from a transport address the inside host sent to: port-restricted cone); a
//       datagram sent to a private address behind a NAT goes nowhere
//     → the transport bound at the destination queues it (none there: counted as unroutable)
// One lock over all of it, so datagrams are handled in the order they are routed; the rule's randomness
// comes from a seeded generator.
import Synchronization
import SynapticPlatform
import SynapticTestSupport

/// A router double. Sendable: transports route from any thread; the test changes rules, NAT and
/// addresses from its own.
final class VirtualRouter: Sendable {
    struct Datagram: Sendable {
        var bytes: [UInt8]
        var source: SocketAddress
        var destination: SocketAddress
        /// How many datagrams the router was given before this one.
        var number: Int
    }

    /// What happens to one datagram.
    enum Fate: Sendable {
        case deliver, drop, duplicate
        /// Delivered right after the next datagram that is delivered (lost if none follows).
        case holdBack
    }

    /// Decides each datagram's fate (after source NAT), with the router's seeded generator.
    typealias Rule = @Sendable (Datagram, inout SeededGenerator) -> Fate

    /// Drops the first `first` datagrams, then each with probability `rate`.
    static func loss(_ rate: Double, droppingFirst first: Int = 0) -> Rule {
        { datagram, random in
            datagram.number < first || Double.random(in: 0..<1, using: &random) < rate ? .drop : .deliver
        }
    }

    struct Counters: Sendable {
        var delivered = 0
        var dropped = 0
        var unroutable = 0
        var translated = 0
        /// Datagrams a filtering NAT refused (from where the inside host had not sent to).
        var filtered = 0
    }

    private struct State {
        var bound: [SocketAddress: MemoryTransport] = [:]
        var addresses: [ObjectIdentifier: SocketAddress] = [:]
        var rule: Rule = { _, _ in .deliver }
        var random: SeededGenerator
        var held: [Datagram] = []
        /// NAT: private address → public address, and the port mappings in both directions.
        var translations: [InetAddress: InetAddress] = [:]
        var outbound: [SocketAddress: SocketAddress] = [:]
        var inbound: [SocketAddress: SocketAddress] = [:]
        var nextPort: UInt16 = 40000
        /// Public addresses whose NAT filters by address and port (as Linux conntrack does), and the remote
        /// transport addresses each inside address and port has sent to.
        var filtering: Set<InetAddress> = []
        var contacted: [SocketAddress: Set<SocketAddress>] = [:]
        var routed = 0
        var counters = Counters()

        mutating func deliver(_ datagram: Datagram) {
            var datagram = datagram
            // An address behind a NAT is private: nobody outside reaches it directly.
            guard translations[datagram.destination.address] == nil else {
                counters.unroutable += 1
                return
            }
            if let inside = inbound[datagram.destination] {
                guard !filtering.contains(datagram.destination.address)
                        || contacted[inside]?.contains(datagram.source) == true else {
                    counters.filtered += 1
                    return
                }
                datagram.destination = inside
                counters.translated += 1
            }
            guard let transport = bound[datagram.destination] else {
                counters.unroutable += 1
                return
            }
            counters.delivered += 1
            transport.deliver(datagram)
        }

        mutating func publicSource(for source: SocketAddress, behind address: InetAddress) -> SocketAddress {
            if let mapped = outbound[source] { return mapped }
            let mapped = SocketAddress(address, port: nextPort)
            nextPort += 1
            outbound[source] = mapped
            inbound[mapped] = source
            return mapped
        }
    }

    private let state: Mutex<State>

    init(seed: UInt64 = 1) {
        state = Mutex(State(random: SeededGenerator(seed: seed)))
    }

    /// The rule for the datagrams routed from now on (initially: deliver everything).
    func setRule(_ rule: @escaping Rule) {
        state.withLock { $0.rule = rule }
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// Datagrams from `privateAddress` leave as from `publicAddress` (a port mapped on first use, kept for
    /// every destination), and datagrams to a mapped port come back: from anyone, or with `filtering` only
    /// from an address and port the inside host has sent to (a port-restricted NAT, as Linux masquerade).
    func translate(_ privateAddress: InetAddress, to publicAddress: InetAddress, filtering: Bool = false) {
        state.withLock { state in
            state.translations[privateAddress] = publicAddress
            if filtering { state.filtering.insert(publicAddress) }
        }
    }

    func bind(_ transport: MemoryTransport, at address: SocketAddress) {
        state.withLock { state in
            precondition(state.bound[address] == nil, "\(address) is already bound")
            state.bound[address] = transport
            state.addresses[ObjectIdentifier(transport)] = address
        }
    }

    func unbind(_ transport: MemoryTransport) {
        state.withLock { state in
            guard let address = state.addresses.removeValue(forKey: ObjectIdentifier(transport)) else { return }
            state.bound[address] = nil
        }
    }

    /// The host of `transport` moved: it is reachable at `address` only, and sends from there.
    func move(_ transport: MemoryTransport, to address: SocketAddress) {
        unbind(transport)
        bind(transport, at: address)
    }

    func route(_ bytes: [UInt8], from transport: MemoryTransport, to destination: SocketAddress) {
        state.withLock { state in
            guard let source = state.addresses[ObjectIdentifier(transport)] else { return }
            var datagram = Datagram(bytes: bytes, source: source, destination: destination, number: state.routed)
            state.routed += 1
            if let publicAddress = state.translations[source.address] {
                datagram.source = state.publicSource(for: source, behind: publicAddress)
                state.contacted[source, default: []].insert(destination)
            }
            let rule = state.rule
            let fate = rule(datagram, &state.random)
            switch fate {
            case .drop:
                state.counters.dropped += 1
            case .holdBack:
                state.held.append(datagram)
            case .deliver, .duplicate:
                state.deliver(datagram)
                if fate == .duplicate { state.deliver(datagram) }
                for held in state.held { state.deliver(held) }
                state.held = []
            }
        }
    }
}

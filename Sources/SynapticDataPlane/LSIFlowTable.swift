// LSIFlowTable: which flows local applications use over an LSI (IPv4), so the packets that come back on
// the same flow are handed to the TUN as IPv4 again instead of IPv6 between the HITs.
//
//   outbound IPv4 packet to an LSI  → record(flow)      (flow = peer HIT, protocol, local/remote port;
//   outbound IPv6 packet to a HIT   → forget(flow)       ICMP echo: identifier as the local port, 0)
//   inbound packet after BEET       → contains(flow)?  IPv4 : IPv6
//   inbound flow start the InboundFlowPolicy sends to an IPv4 socket → record(flow)
//
// A flow the peer starts (nothing recorded here) is presented as IPv6 unless the inbound processor's
// policy finds only an IPv4 socket for it. Slots are 64-bit flow hashes in atomics: a fixed
// open-addressed table, probed a few slots deep, overwriting a slot chosen by the hash when full. Empty
// slots are claimed with compare-and-exchange (both paths record). No allocation, no lock; a lost race
// only presents one packet in the other family.

import Synchronization

/// Lock-free flow memory shared by the inside and outside paths (both record, any thread).
public final class LSIFlowTable: Sendable {
    private nonisolated(unsafe) let slots: UnsafeMutablePointer<Atomic<UInt64>>
    private let mask: Int

    /// A table with `capacity` slots (rounded up to a power of two).
    public init(capacity: Int = DataPlaneLimits.lsiFlowTableSlots) {
        var size = 1
        while size < max(capacity, DataPlaneLimits.lsiFlowTableProbes) { size <<= 1 }
        slots = .allocate(capacity: size)
        for index in 0..<size { (slots + index).initialize(to: Atomic(0)) }
        mask = size - 1
    }

    deinit {
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    /// Remembers that the local side uses an LSI for this flow.
    func record(_ flow: Flow) {
        if contains(flow) { return }
        let key = flow.key
        for probe in 0..<DataPlaneLimits.lsiFlowTableProbes {
            let slot = (Int(truncatingIfNeeded: key) &+ probe) & mask
            if slots[slot].compareExchange(expected: 0, desired: key, ordering: .relaxed).exchanged { return }
        }
        let victim = (Int(truncatingIfNeeded: key) &+ Int(truncatingIfNeeded: key >> 40)
            % DataPlaneLimits.lsiFlowTableProbes) & mask
        slots[victim].store(key, ordering: .relaxed)
    }

    /// Forgets the flow (the local side now uses the HIT for it).
    func forget(_ flow: Flow) {
        let key = flow.key
        for probe in 0..<DataPlaneLimits.lsiFlowTableProbes {
            let slot = (Int(truncatingIfNeeded: key) &+ probe) & mask
            if slots[slot].load(ordering: .relaxed) == key { slots[slot].store(0, ordering: .relaxed) }
        }
    }

    /// Whether the flow was last used over an LSI.
    func contains(_ flow: Flow) -> Bool {
        let key = flow.key
        for probe in 0..<DataPlaneLimits.lsiFlowTableProbes {
            if slots[(Int(truncatingIfNeeded: key) &+ probe) & mask].load(ordering: .relaxed) == key { return true }
        }
        return false
    }

    /// A flow as seen from this host.
    struct Flow: Hashable {
        var peer: PackedHIT
        /// The IPv6 next header (ICMP is recorded as ICMPv6, 58).
        var nextHeader: UInt8
        var localPort: UInt16
        var remotePort: UInt16

        /// A 64-bit mix of the fields (splitmix64 finalizer rounds); never 0, which marks an empty slot.
        var key: UInt64 {
            var value = peer.high ^ (peer.low &* 0x9E37_79B9_7F4A_7C15)
            value ^= UInt64(nextHeader) << 32 | UInt64(localPort) << 16 | UInt64(remotePort)
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            value ^= value >> 31
            return value == 0 ? 1 : value
        }

        /// The flow of an upper-layer segment sent to the peer (ports: source = local).
        static func outbound(peer: PackedHIT, nextHeader: UInt8, segment: UnsafeRawBufferPointer) -> Flow? {
            ports(nextHeader: nextHeader, segment: segment).map {
                Flow(peer: peer, nextHeader: nextHeader, localPort: $0.source, remotePort: $0.destination)
            }
        }

        /// The flow of an upper-layer segment received from the peer (ports: destination = local).
        static func inbound(peer: PackedHIT, nextHeader: UInt8, segment: UnsafeRawBufferPointer) -> Flow? {
            ports(nextHeader: nextHeader, segment: segment).map {
                Flow(peer: peer, nextHeader: nextHeader, localPort: $0.destination, remotePort: $0.source)
            }
        }

        /// The transport of a segment received from the peer that may start a flow: a TCP SYN without
        /// ACK (a complete TCP header), or any UDP datagram (a complete UDP header); nil otherwise.
        static func startingTransport(nextHeader: UInt8, segment: UnsafeRawBufferPointer) -> FlowTransport? {
            switch nextHeader {
            case ProtocolConstants.protocolTCP:
                guard segment.count >= ProtocolConstants.tcpMinimumHeaderLength else { return nil }
                let flags = segment[ProtocolConstants.tcpFlagsOffset]
                return flags & (ProtocolConstants.tcpSYN | ProtocolConstants.tcpACK) == ProtocolConstants.tcpSYN
                    ? .tcp : nil
            case ProtocolConstants.protocolUDP:
                return segment.count >= ProtocolConstants.udpHeaderLength ? .udp : nil
            default:
                return nil
            }
        }

        /// TCP/UDP ports, or an ICMPv6 echo identifier as both; nil for anything else or a short segment.
        private static func ports(nextHeader: UInt8,
                                  segment: UnsafeRawBufferPointer) -> (source: UInt16, destination: UInt16)? {
            switch nextHeader {
            case ProtocolConstants.protocolTCP, ProtocolConstants.protocolUDP:
                guard segment.count >= 4 else { return nil }
                return (UInt16(bigEndian: segment.loadUnaligned(fromByteOffset: 0, as: UInt16.self)),
                        UInt16(bigEndian: segment.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            case ProtocolConstants.protocolICMPv6:
                guard segment.count >= ProtocolConstants.icmpEchoHeaderLength,
                      segment[0] == ProtocolConstants.icmpv6EchoRequest
                        || segment[0] == ProtocolConstants.icmpv6EchoReply else { return nil }
                let identifier = UInt16(bigEndian: segment.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
                return (identifier, identifier)
            default:
                return nil
            }
        }
    }
}

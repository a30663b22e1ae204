// TCPCoalescer: opened packets on their way to the TUN, grouped so that consecutive TCP segments of one flow
// are written as one super-packet (GRO done here, as the kernel's tcp_gro_receive would do it).
//
//   stages, over the packets of a batch that were not dropped, in batch order:
//   candidate?  IPv4 without options or fragmentation, or IPv6 with TCP right after the fixed header; TCP with
//               payload, ACK set, no SYN/FIN/RST/URG/ECE/CWR (PSH allowed: it ends the group); valid checksum
//               no  → written alone; a group of its flow (same addresses and ports) is closed first, so the
//                     flow's packets stay in order
//   its flow's group (a table of `DataPlaneLimits.coalescerFlows` flows; a new flow replaces the one that
//   grew least recently when it is full) takes it when:
//               IPv4 TOS, TTL and DF, or IPv6 version/class/flow label and hop limit, are the head's; TCP header
//               length, acknowledgment number and options are the head's; its sequence number is the group's
//               next; the group's last payload is a full segment (the head's payload length) and this one is
//               at most that; the last member has no PSH; ≤ `maximumCoalescedSegments`; ≤ 65535 bytes
//               otherwise it heads a new group of its flow
//   finish      a group of several: the head's IP length (IPv4 header checksum), PSH if the last member had it,
//               TCP checksum = the pseudo-header sum over the whole length (partial, for NEEDS_CSUM)
//   virtio-net header written in front of every head (the headroom holds it):
//               group of several: NEEDS_CSUM, TCPV4 or TCPV6, hdr_len, gso_size = the head's payload,
//               csum_start = the TCP header, csum_offset 16
//               alone: all zero (the kernel checks the packet's own checksum)
//   write       per head, in batch order: the head with its virtio-net header, then each member's payload —
//               one TUN write (writev) per group
//
// Runs after BEET and LSI translation, on the inner packets as the TUN gets them. Pure functions on the
// batch's memory; no I/O. Nothing allocates after init.

import HIPWire

/// Groups of one batch's opened packets for the TUN. Use from the thread that owns the batch; the groups
/// stay valid until the batch changes.
public final class TCPCoalescer {
    private enum Role: UInt8 {
        case skipped
        case head
        case member
    }

    /// A flow whose group may still grow.
    private struct Flow {
        var head = 0
        var last = 0
        var nextSequence: UInt32 = 0
        var segments = 0
        var payloadBytes = 0
        var segmentSize = 0
        var lastHasPSH = false
    }

    /// Where a candidate's headers and payload are.
    private struct Candidate {
        var isIPv4: Bool
        var ipHeaderLength: Int
        var tcpHeaderLength: Int
        var payloadLength: Int
        var isCoalescible: Bool
    }

    public let capacity: Int
    /// False: every packet is written alone (offloads off).
    public let coalescing: Bool
    private let roles: UnsafeMutablePointer<Role>
    private let next: UnsafeMutablePointer<Int>
    private let payloadOffsets: UnsafeMutablePointer<Int>
    private let payloadLengths: UnsafeMutablePointer<Int>
    private let segmentCounts: UnsafeMutablePointer<Int>
    private let flows: UnsafeMutablePointer<Flow>
    private var flowCount = 0

    /// A coalescer for batches of up to `capacity` packets; with `coalescing` false it only writes the
    /// all-zero virtio-net headers. Allocates its bookkeeping once, here.
    public init(capacity: Int, coalescing: Bool = true) {
        precondition(capacity > 0, "a coalescer needs room for a packet")
        self.capacity = capacity
        self.coalescing = coalescing
        roles = .allocate(capacity: capacity)
        roles.initialize(repeating: .skipped, count: capacity)
        next = .allocate(capacity: capacity)
        next.initialize(repeating: -1, count: capacity)
        payloadOffsets = .allocate(capacity: capacity)
        payloadOffsets.initialize(repeating: 0, count: capacity)
        payloadLengths = .allocate(capacity: capacity)
        payloadLengths.initialize(repeating: 0, count: capacity)
        segmentCounts = .allocate(capacity: capacity)
        segmentCounts.initialize(repeating: 0, count: capacity)
        flows = .allocate(capacity: DataPlaneLimits.coalescerFlows)
        flows.initialize(repeating: Flow(), count: DataPlaneLimits.coalescerFlows)
    }

    deinit {
        roles.deallocate()
        next.deallocate()
        payloadOffsets.deallocate()
        payloadLengths.deallocate()
        segmentCounts.deallocate()
        flows.deallocate()
    }

    // MARK: - Grouping

    /// Groups the packets of `batch` that have no drop reason, rewrites the heads of groups of several in
    /// place and writes every head's virtio-net header in front of it (each packet needs
    /// `VirtioNetHeader.length` bytes before its window: the headroom).
    public func coalesce(_ batch: PacketBatch) {
        precondition(batch.count <= capacity, "batch larger than the coalescer")
        flowCount = 0
        for index in 0..<batch.count {
            next[index] = -1
            segmentCounts[index] = 0
            guard batch[metadata: index].drop == nil else {
                roles[index] = .skipped
                continue
            }
            roles[index] = .head
            segmentCounts[index] = 1
            if coalescing { place(index, in: batch) }
        }
        for index in 0..<batch.count where roles[index] == .head {
            finish(index, in: batch)
        }
    }

    /// Whether packet `index` starts a TUN write (a group's head, alone or with members).
    public func isHead(_ index: Int) -> Bool { roles[index] == .head }

    /// How many packets the group headed by `index` holds.
    public func packetCount(_ index: Int) -> Int { segmentCounts[index] }

    /// The bytes of head `index` to write first: its virtio-net header and its packet.
    public func head(_ index: Int, in batch: PacketBatch) -> UnsafeRawBufferPointer {
        let start = batch.offset(of: index) - VirtioNetHeader.length
        return UnsafeRawBufferPointer(rebasing: batch.buffer(at: index)[start..<batch.offset(of: index) + batch.length(of: index)])
    }

    /// The member written after packet `index` in its group, or nil.
    public func member(after index: Int) -> Int? {
        let member = next[index]
        return member >= 0 ? member : nil
    }

    /// The TCP payload of member `index` (what its group's write appends).
    public func payload(_ index: Int, in batch: PacketBatch) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: batch.buffer(at: index)[payloadOffsets[index]..<payloadOffsets[index] + payloadLengths[index]])
    }

    /// Puts packet `index` into its flow's group, or makes it a head.
    private func place(_ index: Int, in batch: PacketBatch) {
        let packet = UnsafeRawBufferPointer(batch.packet(at: index))
        guard let candidate = Self.candidate(packet) else { return }
        payloadOffsets[index] = batch.offset(of: index) + candidate.ipHeaderLength + candidate.tcpHeaderLength
        payloadLengths[index] = candidate.payloadLength
        let flowIndex = flowSlot(of: packet, candidate, in: batch)
        guard candidate.isCoalescible else {
            if let flowIndex { close(flowIndex) }
            return
        }
        let tcp = UnsafeRawBufferPointer(rebasing: packet[candidate.ipHeaderLength...])
        let sequence = UInt32(bigEndian: tcp.loadUnaligned(fromByteOffset: ProtocolConstants.tcpSequenceOffset, as: UInt32.self))
        let hasPSH = tcp[ProtocolConstants.tcpFlagsOffset] & ProtocolConstants.tcpPSH != 0
        if let flowIndex {
            let flow = flows[flowIndex]
            if joins(packet, candidate, sequence: sequence, flow: flow, head: UnsafeRawBufferPointer(batch.packet(at: flow.head))) {
                next[flow.last] = index
                roles[index] = .member
                segmentCounts[flow.head] += 1
                flows[flowIndex].last = index
                flows[flowIndex].nextSequence = sequence &+ UInt32(candidate.payloadLength)
                flows[flowIndex].segments += 1
                flows[flowIndex].payloadBytes += candidate.payloadLength
                flows[flowIndex].lastHasPSH = hasPSH
                return
            }
        }
        let flow = Flow(head: index, last: index, nextSequence: sequence &+ UInt32(candidate.payloadLength), segments: 1,
                        payloadBytes: candidate.payloadLength, segmentSize: candidate.payloadLength, lastHasPSH: hasPSH)
        if let flowIndex {
            flows[flowIndex] = flow
        } else if flowCount < DataPlaneLimits.coalescerFlows {
            flows[flowCount] = flow
            flowCount += 1
        } else {
            var oldest = 0
            for candidate in 1..<flowCount where flows[candidate].last < flows[oldest].last { oldest = candidate }
            flows[oldest] = flow
        }
    }

    /// Removes flow `flowIndex` from the table (its group is complete).
    private func close(_ flowIndex: Int) {
        flowCount -= 1
        flows[flowIndex] = flows[flowCount]
    }

    /// The table slot of the flow (addresses and ports) of `packet`, or nil.
    private func flowSlot(of packet: UnsafeRawBufferPointer, _ candidate: Candidate, in batch: PacketBatch) -> Int? {
        for flowIndex in 0..<flowCount {
            let head = UnsafeRawBufferPointer(batch.packet(at: flows[flowIndex].head))
            guard head.count >= candidate.ipHeaderLength + 4, (head[0] >> 4 == 4) == candidate.isIPv4 else { continue }
            if Self.same(head, packet, from: candidate.isIPv4 ? 12 : 8, to: candidate.isIPv4 ? 20 : 40)
                && Self.same(head, packet, from: candidate.ipHeaderLength, to: candidate.ipHeaderLength + 4) {
                return flowIndex
            }
        }
        return nil
    }

    /// Whether bytes `start..<end` (a multiple of 4 long, inside both) of `first` and `second` are equal.
    private static func same(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, from start: Int,
                             to end: Int) -> Bool {
        var offset = start
        while offset + 8 <= end {
            guard first.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == second.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        return offset == end || first.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            == second.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// Whether a coalescible `packet` with `sequence` continues `flow`, whose head is `head`.
    private func joins(_ packet: UnsafeRawBufferPointer, _ candidate: Candidate, sequence: UInt32, flow: Flow,
                       head: UnsafeRawBufferPointer) -> Bool {
        guard sequence == flow.nextSequence, !flow.lastHasPSH, flow.segments < DataPlaneLimits.maximumCoalescedSegments,
              flow.payloadBytes == flow.segments * flow.segmentSize, candidate.payloadLength <= flow.segmentSize else {
            return false
        }
        let tcpHeaderLength = candidate.tcpHeaderLength
        let ipHeaderLength = candidate.ipHeaderLength
        let lengthAfter = flow.payloadBytes + candidate.payloadLength + tcpHeaderLength + (candidate.isIPv4 ? ipHeaderLength : 0)
        guard lengthAfter <= ProtocolConstants.maximumIPPayloadLength,
              Int(head[ipHeaderLength + ProtocolConstants.tcpDataOffsetOffset] >> 4) * 4 == tcpHeaderLength else { return false }
        if candidate.isIPv4 {
            let dontFragment = UInt8(ProtocolConstants.ipv4DontFragment >> 8)
            guard head[1] == packet[1], head[8] == packet[8], head[6] & dontFragment == packet[6] & dontFragment else {
                return false
            }
        } else {
            guard Self.same(head, packet, from: 0, to: 4), head[7] == packet[7] else { return false }
        }
        let acknowledgment = ipHeaderLength + ProtocolConstants.tcpAcknowledgmentOffset
        return Self.same(head, packet, from: acknowledgment, to: acknowledgment + 4)
            && Self.same(head, packet, from: ipHeaderLength + ProtocolConstants.tcpMinimumHeaderLength,
                         to: ipHeaderLength + tcpHeaderLength)
    }

    /// Where `packet`'s TCP header and payload are, and whether it may be coalesced; nil when it is not TCP
    /// with a payload (then it has no flow).
    private static func candidate(_ packet: UnsafeRawBufferPointer) -> Candidate? {
        guard let first = packet.first else { return nil }
        let isIPv4: Bool
        let ipHeaderLength: Int
        switch first {
        case 0x45:
            guard packet.count >= ProtocolConstants.ipv4MinimumHeaderLength, packet[9] == ProtocolConstants.protocolTCP,
                  Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 2, as: UInt16.self))) == packet.count,
                  UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 6, as: UInt16.self))
                      & (ProtocolConstants.ipv4MoreFragments | ProtocolConstants.ipv4FragmentOffsetMask) == 0 else { return nil }
            (isIPv4, ipHeaderLength) = (true, ProtocolConstants.ipv4MinimumHeaderLength)
        case 0x60...0x6F:
            guard packet.count >= ProtocolConstants.ipv6HeaderLength, packet[6] == ProtocolConstants.protocolTCP,
                  ProtocolConstants.ipv6HeaderLength + Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
                      == packet.count else { return nil }
            (isIPv4, ipHeaderLength) = (false, ProtocolConstants.ipv6HeaderLength)
        default:
            return nil
        }
        guard packet.count >= ipHeaderLength + ProtocolConstants.tcpMinimumHeaderLength else { return nil }
        let tcpHeaderLength = Int(packet[ipHeaderLength + ProtocolConstants.tcpDataOffsetOffset] >> 4) * 4
        guard tcpHeaderLength >= ProtocolConstants.tcpMinimumHeaderLength,
              ipHeaderLength + tcpHeaderLength < packet.count else { return nil }
        let flags = packet[ipHeaderLength + ProtocolConstants.tcpFlagsOffset]
        let refused = ProtocolConstants.tcpSYN | ProtocolConstants.tcpFIN | ProtocolConstants.tcpRST | ProtocolConstants.tcpURG
            | ProtocolConstants.tcpECE | ProtocolConstants.tcpCWR
        var coalescible = flags & ProtocolConstants.tcpACK != 0 && flags & refused == 0
        if coalescible {
            var sum = InternetChecksum.pseudoHeader(of: packet, isIPv4: isIPv4, length: packet.count - ipHeaderLength,
                                                    protocol: ProtocolConstants.protocolTCP)
            sum.add(UnsafeRawBufferPointer(rebasing: packet[ipHeaderLength...]))
            coalescible = sum.foldedSum == 0xFFFF
        }
        return Candidate(isIPv4: isIPv4, ipHeaderLength: ipHeaderLength, tcpHeaderLength: tcpHeaderLength,
                         payloadLength: packet.count - ipHeaderLength - tcpHeaderLength, isCoalescible: coalescible)
    }

    // MARK: - Finishing

    /// Rewrites head `index` for its group and writes its virtio-net header in front of it.
    private func finish(_ index: Int, in batch: PacketBatch) {
        let offset = batch.offset(of: index)
        precondition(offset >= VirtioNetHeader.length, "no headroom for the virtio-net header")
        let buffer = batch.buffer(at: index)
        let headerArea = UnsafeMutableRawBufferPointer(rebasing: buffer[(offset - VirtioNetHeader.length)..<offset])
        guard next[index] >= 0 else {
            VirtioNetHeader().store(to: headerArea)
            return
        }
        let packet = batch.packet(at: index)
        let isIPv4 = packet[0] >> 4 == 4
        let ipHeaderLength = isIPv4 ? ProtocolConstants.ipv4MinimumHeaderLength : ProtocolConstants.ipv6HeaderLength
        let tcpHeaderLength = payloadOffsets[index] - offset - ipHeaderLength
        var payloadBytes = 0
        var last = index
        var member: Int? = index
        while let current = member {
            payloadBytes += payloadLengths[current]
            last = current
            member = self.member(after: current)
        }
        let tcpLength = tcpHeaderLength + payloadBytes
        if isIPv4 {
            packet.storeBytes(of: UInt16(ipHeaderLength + tcpLength).bigEndian, toByteOffset: 2, as: UInt16.self)
            let checksum = InternetChecksum.ipv4HeaderChecksum(UnsafeRawBufferPointer(packet), length: ipHeaderLength)
            packet.storeBytes(of: checksum.bigEndian, toByteOffset: 10, as: UInt16.self)
        } else {
            packet.storeBytes(of: UInt16(tcpLength).bigEndian, toByteOffset: 4, as: UInt16.self)
        }
        let flagsOffset = ipHeaderLength + ProtocolConstants.tcpFlagsOffset
        let lastPacket = batch.packet(at: last)
        packet[flagsOffset] |= lastPacket[flagsOffset] & ProtocolConstants.tcpPSH
        let pseudo = InternetChecksum.pseudoHeader(of: UnsafeRawBufferPointer(packet), isIPv4: isIPv4, length: tcpLength,
                                                   protocol: ProtocolConstants.protocolTCP)
        packet.storeBytes(of: pseudo.foldedSum.bigEndian, toByteOffset: ipHeaderLength + ProtocolConstants.tcpChecksumOffset,
                          as: UInt16.self)
        VirtioNetHeader(flags: VirtioNetHeader.needsChecksum,
                        gsoType: isIPv4 ? VirtioNetHeader.gsoTCPv4 : VirtioNetHeader.gsoTCPv6,
                        headerLength: UInt16(ipHeaderLength + tcpHeaderLength), gsoSize: UInt16(payloadLengths[index]),
                        checksumStart: UInt16(ipHeaderLength),
                        checksumOffset: UInt16(ProtocolConstants.tcpChecksumOffset)).store(to: headerArea)
    }
}

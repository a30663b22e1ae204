// OffloadFuzzer: libFuzzer entry point for the TUN offload functions of SynapticDataPlane (SuperPacket,
// TCPCoalescer). Run with `scripts/fuzz.sh OffloadFuzzer`; seeds in Fuzz/corpus/OffloadFuzzer/.
//
// Stages per input:
//  1. the input as a TUN read (virtio-net header, then a packet or super-packet): SuperPacket parses it or
//     throws; when it parses, every segment fits a node slot and says its own length (IPv4 total length, IPv6
//     payload length);
//  2. those segments (when at most 64) as opened packets in a PacketBatch through TCPCoalescer; every TUN
//     write it plans, cut again by SuperPacket, gives back the segments in order (split ∘ coalesce = id);
//  3. the input cut into up to 16 packets at lengths it names, through TCPCoalescer: every packet is written
//     exactly once, and every write stays inside the batch's buffers (read in full, under ASan).
// A broken property traps on purpose (libFuzzer reports it as a crash with the input saved).

import SynapticDataPlane

/// libFuzzer runs one input at a time, on one thread.
private let batch = PacketBatch(capacity: 64)
nonisolated(unsafe) private let coalescer = TCPCoalescer(capacity: 64)
private let maximumSegment = batch.readArea(at: 0).count

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let superPacket = try? SuperPacket(parsing: bytes, maximumSegmentLength: maximumSegment) {
        splitAndCoalesce(superPacket)
    }
    coalesceArbitrary(bytes)
    return 0
}

/// Stages 1 and 2.
private func splitAndCoalesce(_ superPacket: SuperPacket) {
    let count = superPacket.segmentCount
    var segments: [[UInt8]] = []
    for index in 0..<count {
        let slot = index % batch.capacity
        let length = superPacket.write(segment: index, into: batch.readArea(at: slot))
        precondition(length > 0 && length <= maximumSegment, "segment outside its slot")
        batch.setRead(slot, length: length)
        let packet = UnsafeRawBufferPointer(batch.packet(at: slot))
        if count > 1 {
            let stated = packet[0] >> 4 == 4 ? Int(packet[2]) << 8 | Int(packet[3]) : 40 + (Int(packet[4]) << 8 | Int(packet[5]))
            precondition(stated == length, "segment length field")
        }
        if count <= batch.capacity { segments.append(Array(packet)) }
    }
    guard count <= batch.capacity else { return }
    batch.count = count
    coalescer.coalesce(batch)
    var again: [[UInt8]] = []
    for head in 0..<count where coalescer.isHead(head) {
        var write = Array(coalescer.head(head, in: batch))
        var member = coalescer.member(after: head)
        while let current = member {
            write += coalescer.payload(current, in: batch)
            member = coalescer.member(after: current)
        }
        write.withUnsafeBytes { written in
            guard let cut = try? SuperPacket(parsing: written, maximumSegmentLength: maximumSegment) else {
                preconditionFailure("a planned TUN write does not parse")
            }
            var buffer = [UInt8](repeating: 0, count: maximumSegment)
            for index in 0..<cut.segmentCount {
                let length = buffer.withUnsafeMutableBytes { cut.write(segment: index, into: $0) }
                again.append(Array(buffer[..<length]))
            }
        }
    }
    precondition(again == segments, "split ∘ coalesce changed the segments")
}

/// Stage 3: the first byte says how many packets (1…16), the next two bytes of each its length.
private func coalesceArbitrary(_ bytes: UnsafeRawBufferPointer) {
    guard let first = bytes.first else { return }
    var cursor = 1
    var count = 0
    for index in 0..<(Int(first) % 16 + 1) {
        guard cursor + 2 <= bytes.count else { break }
        let wanted = Int(bytes[cursor]) << 8 | Int(bytes[cursor + 1])
        cursor += 2
        let length = min(wanted, bytes.count - cursor, maximumSegment)
        let area = batch.readArea(at: index)
        area.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[cursor..<cursor + length]))
        batch.setRead(index, length: length)
        cursor += length
        count += 1
    }
    batch.count = count
    coalescer.coalesce(batch)
    var written = 0
    for head in 0..<count where coalescer.isHead(head) {
        var bytes = coalescer.head(head, in: batch).reduce(0) { $0 &+ Int($1) }
        var packets = 1
        var member = coalescer.member(after: head)
        while let current = member {
            bytes &+= coalescer.payload(current, in: batch).reduce(0) { $0 &+ Int($1) }
            packets += 1
            member = coalescer.member(after: current)
        }
        precondition(packets == coalescer.packetCount(head), "group size")
        written += packets
        _ = bytes
    }
    precondition(written == count, "every packet is written exactly once")
}

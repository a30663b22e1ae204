// Datagram: one ESPInboundFuzzer record as the UDP payload the outside path receives, at the end of its own
// buffer of `InboundRun.bufferSize` bytes (headroom before it for the rebuilt inner header, nothing after
// it, so AddressSanitizer reports any read or write past the datagram).
import FuzzSupport

/// A record's datagram in the buffer it owns.
final class Datagram {
    /// What a sealed record sealed (nil for a raw one).
    struct Sealed {
        let sequence: UInt64
        let nextHeader: UInt8
        let segment: [UInt8]
    }

    let buffer: UnsafeMutableRawBufferPointer
    let offset: Int
    let sealed: Sealed?

    /// The datagram of `record` (header bits in InboundRun), or nil when it is longer than
    /// `InboundRun.maximumDatagram`.
    convenience init?(_ record: Record) {
        if record.header & InboundRun.sealedBit == 0 {
            self.init(length: record.body.count, sealed: nil)
            packet.copyBytes(from: record.body)
        } else {
            var fields = FieldReader(record.body)
            let sa = FuzzedSA.all[Int(record.header >> 1 & 3)]
            let sealed = Sealed(sequence: fields.integer(), nextHeader: fields.byte(), segment: fields.rest())
            self.init(length: sa.packetLength(payloadLength: sealed.segment.count), sealed: sealed)
            sa.seal(sealed.segment, nextHeader: sealed.nextHeader, sequence: sealed.sequence, into: packet)
        }
    }

    /// A zeroed buffer with room for `length` bytes at its end.
    private init?(length: Int, sealed: Sealed?) {
        guard length <= InboundRun.maximumDatagram else { return nil }
        buffer = .allocate(byteCount: InboundRun.bufferSize, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        offset = InboundRun.bufferSize - length
        self.sealed = sealed
    }

    deinit { buffer.deallocate() }

    /// The datagram's bytes.
    var packet: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]) }
}

// DatagramBatch+Memory: test helpers that give a DatagramBatch (which owns no packet memory) the slots of a
// PacketBatch to receive into and to send from, as the node's paths do.
import SynapticDataPlane
import SynapticPlatform

extension DatagramBatch {
    /// Makes slot i of `memory` (its first `bytes` bytes when given) the receive buffer of datagram i, for
    /// every datagram both have.
    public func receive(into memory: PacketBatch, bytes: Int? = nil) {
        for index in 0..<min(capacity, memory.capacity) {
            let buffer = memory.buffer(at: index)
            setReceiveBuffer(at: index, UnsafeMutableRawBufferPointer(rebasing: buffer[..<(bytes ?? buffer.count)]))
        }
    }

    /// Copies `payload` into slot `count` of `memory` and appends it as the next datagram to `peer` (see
    /// `append(_:to:from:segmentSize:)`).
    public func append(copying payload: [UInt8], into memory: PacketBatch, to peer: SocketAddress,
                       from source: InetAddress? = nil, segmentSize: Int = 0) {
        let index = count
        memory.buffer(at: index).copyBytes(from: payload)
        memory.setPacket(index, offset: 0, length: payload.count)
        append(UnsafeRawBufferPointer(memory.packet(at: index)), to: peer, from: source, segmentSize: segmentSize)
    }
}

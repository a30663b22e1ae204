// MemoryTun: an in-memory TUN for the virtual-network tests (PacketDevice), with virtio-net headers as
// the node's TUN has them.
//
//   test (an application) → inject (a packet: an all-zero header is put in front; or a whole read with its
//     own header, e.g. a TSO super-packet) → queue → inside path: readPacket (readable while the queue holds one)
//   outside path: write (pieces gathered; a GSO super-packet is cut into its packets with SuperPacket, as the
//     kernel would) → written packets → test: awaitPacket (waits with a deadline); `superPackets` counts the
//     coalesced writes
//
// Pollable through a ReadinessSignal (eventfd), no root and no real interface needed.
import Dispatch
import SynapticDataPlane
@testable import SynapticNode
@testable import SynapticPlatform
import Synchronization

/// A TUN double. Sendable: the inside path reads and the outside path writes on their threads while the
/// test injects and waits on its own.
final class MemoryTun: PacketDevice {
    private struct State {
        var toRead: [[UInt8]] = []
        var written: [[UInt8]] = []
        var superPackets = 0
    }

    private let state = Mutex(State())
    private let readable = ReadinessSignal()
    private let wrote = DispatchSemaphore(value: 0)

    var fileDescriptor: Int32 { readable.fileDescriptor }

    /// An application sends `packet` (an IP packet) into the TUN: the inside path reads it next, after an
    /// all-zero virtio-net header.
    func inject(_ packet: [UInt8]) {
        injectRead([UInt8](repeating: 0, count: VirtioNetHeader.length) + packet)
    }

    /// The inside path's next read is `bytes` exactly (a virtio-net header and a packet or super-packet).
    func injectRead(_ bytes: [UInt8]) {
        state.withLock { state in
            if state.toRead.isEmpty { readable.set() }
            state.toRead.append(bytes)
        }
    }

    /// Writes whose virtio-net header described a GSO super-packet (coalesced by the outside path).
    var superPackets: Int { state.withLock { $0.superPackets } }

    func readPacket(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        state.withLock { state -> Int? in
            guard !state.toRead.isEmpty else { return nil }
            let packet = state.toRead.removeFirst()
            if state.toRead.isEmpty { readable.clear() }
            let length = min(packet.count, buffer.count)
            buffer.copyBytes(from: packet[..<length])
            return length
        }
    }

    func write(_ vectors: IOVectors) throws(SystemError) -> Bool {
        let bytes = (0..<vectors.count).flatMap { Array(vectors[$0]) }
        guard let header = bytes.withUnsafeBytes({ VirtioNetHeader(loadingFrom: $0) }) else {
            throw SystemError.invalidArgument("writev(tun)", "no virtio-net header")
        }
        var packets = [Array(bytes[VirtioNetHeader.length...])]
        if header.gsoType != VirtioNetHeader.gsoNone {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let segments = bytes.withUnsafeBytes { read -> [[UInt8]]? in
                guard let superPacket = try? SuperPacket(parsing: read, maximumSegmentLength: buffer.count) else { return nil }
                return (0..<superPacket.segmentCount).map { index in
                    Array(buffer[..<buffer.withUnsafeMutableBytes { superPacket.write(segment: index, into: $0) }])
                }
            }
            guard let segments else { throw SystemError.invalidArgument("writev(tun)", "a super-packet the kernel would refuse") }
            packets = segments
        }
        state.withLock { state in
            state.written += packets
            if header.gsoType != VirtioNetHeader.gsoNone { state.superPackets += 1 }
        }
        for _ in packets { wrote.signal() }
        return true
    }

    /// Takes the first packet the node wrote (delivered to local applications) that `matches`, waiting up
    /// to `timeout` for it; nil if none came.
    func awaitPacket(timeout: Duration = .seconds(10), where matches: ([UInt8]) -> Bool = { _ in true }) -> [UInt8]? {
        let deadline = DispatchTime.after(timeout)
        while true {
            let found = state.withLock { state -> [UInt8]? in
                guard let index = state.written.firstIndex(where: matches) else { return nil }
                return state.written.remove(at: index)
            }
            if let found { return found }
            guard wrote.wait(timeout: deadline) == .success else { return nil }
        }
    }

    /// Closes the descriptor; after the paths stopped.
    func close() {
        readable.close()
    }
}

// MemoryTun: an in-memory TUN for the virtual-network tests (PacketDevice).
//
//   test (an application) → inject → queue → inside path: readPacket (readable while the queue holds one)
//   outside path: writePacket → written packets → test: awaitPacket (waits with a deadline)
//
// Pollable through a ReadinessSignal (eventfd), no root and no real interface needed.
import Dispatch
import Synchronization
import SynapticPlatform
@testable import SynapticNode

/// A TUN double. Sendable: the inside path reads and the outside path writes on their threads while the
/// test injects and waits on its own.
final class MemoryTun: PacketDevice {
    private struct State {
        var toRead: [[UInt8]] = []
        var written: [[UInt8]] = []
    }

    private let state = Mutex(State())
    private let readable = ReadinessSignal()
    private let wrote = DispatchSemaphore(value: 0)

    var fileDescriptor: Int32 { readable.fileDescriptor }

    /// An application sends `packet` (an IP packet) into the TUN: the inside path reads it next.
    func inject(_ packet: [UInt8]) {
        state.withLock { state in
            if state.toRead.isEmpty { readable.set() }
            state.toRead.append(packet)
        }
    }

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

    func writePacket(_ packet: UnsafeRawBufferPointer) throws(SystemError) -> Bool {
        state.withLock { $0.written.append(Array(packet)) }
        wrote.signal()
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

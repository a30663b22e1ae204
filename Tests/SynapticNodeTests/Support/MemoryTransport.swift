// MemoryTransport: an in-memory UDP socket on a VirtualRouter (DatagramTransport).
//
//   send: each datagram of the batch, its pieces gathered and cut at its UDP_SEGMENT size as the kernel's GSO
//         does → router.route (the router gives it our current address as source, applies its rule and NAT,
//         and hands it to the transport bound at the destination)
//   receive: datagrams the router delivered → DatagramBatch.setReceived (source, our address as the
//            destination) → the outside path demuxes them as it does a recvmmsg's
// Pollable through a ReadinessSignal (eventfd): readable while datagrams wait, always writable (a send
// never blocks: the router takes everything, then maybe drops it).
import Synchronization
import SynapticPlatform
@testable import SynapticNode

/// A UDP socket double bound on a router. Sendable: the outside path receives while the inside path and
/// the control plane send; the router delivers from any sender's thread.
final class MemoryTransport: DatagramTransport {
    private let router: VirtualRouter
    private let queue = Mutex<[VirtualRouter.Datagram]>([])
    private let readable = ReadinessSignal()

    /// Binds a transport at `address` on `router`.
    init(at address: SocketAddress, on router: VirtualRouter) {
        self.router = router
        router.bind(self, at: address)
    }

    var fileDescriptor: Int32 { readable.fileDescriptor }

    /// The router hands over a datagram addressed to us.
    func deliver(_ datagram: VirtualRouter.Datagram) {
        queue.withLock { queue in
            if queue.isEmpty { readable.set() }
            queue.append(datagram)
        }
    }

    func receive(into batch: DatagramBatch) throws(SystemError) -> Int {
        let taken = queue.withLock { queue in
            let taken = queue.prefix(batch.capacity)
            queue.removeFirst(taken.count)
            if queue.isEmpty { readable.clear() }
            return taken
        }
        for (index, datagram) in taken.enumerated() {
            datagram.bytes.withUnsafeBytes {
                batch.setReceived(at: index, $0, from: datagram.source, to: datagram.destination.address)
            }
        }
        batch.count = taken.count
        return taken.count
    }

    func send(_ batch: DatagramBatch, from start: Int) throws(SystemError) -> BatchProgress {
        var progress = BatchProgress(next: start)
        while progress.next < batch.count {
            if let destination = batch.peer(at: progress.next) {
                let index = progress.next
                let bytes = (0..<batch.pieceCount(at: index)).flatMap { batch.piece($0, at: index) }
                // UDP_SEGMENT: the kernel cuts the bytes into datagrams of the segment size.
                let size = batch.sendSegmentSize(at: index) > 0 ? batch.sendSegmentSize(at: index) : max(bytes.count, 1)
                for start in stride(from: 0, to: max(bytes.count, 1), by: size) {
                    router.route(Array(bytes[start..<min(start + size, bytes.count)]), from: self, to: destination)
                }
                progress.sent += 1
            } else {
                progress.rejected += 1
            }
            progress.next += 1
        }
        return progress
    }

    /// Unbinds from the router and closes the descriptor; after the loops stopped.
    func close() {
        router.unbind(self)
        readable.close()
    }
}

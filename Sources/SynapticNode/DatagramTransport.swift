// DatagramTransport: what the node uses of a UDP socket (the seam the virtual-network tests fill with an
// in-memory double). One transport per address family, all on the node's port.
//
//   outside path:  readable (EventPoller on `fileDescriptor`) → receive(into:) a batch → demux → open;
//                  ESP a relay route matched → send(_:from:) runs of that same batch (never waits)
//   inside path:   seal a batch → send(_:from:) runs of it; when full, wait for writability on
//                  `fileDescriptor` once per batch
//   control plane: HIPSockets sends one HIP packet (zero marker first) per call
//
// The paths take the transport as a generic parameter, so UDPSocket's batch calls are direct; the
// datagrams travel in a `DatagramBatch` either way (a double fills it with `DatagramBatch.setReceived` and
// reads the datagrams it is given to send, piece by piece). A double makes itself pollable with a descriptor of its own (an
// eventfd that is readable while datagrams wait, and always writable).
import SynapticPlatform

/// A bound datagram transport of one address family with batched, non-blocking receive and send.
///
/// Concurrency: one thread receives (the outside path, which also sends relayed ESP) while others send (the
/// inside path, the control plane), each with its own batch; `close()` once those threads stopped. Errors
/// are `SystemError`s naming the call; `send` skips datagrams refused one by one (see `BatchProgress`).
protocol DatagramTransport: AnyObject, Sendable {
    /// A descriptor that polls readable while a datagram waits, writable while a send would not block.
    var fileDescriptor: Int32 { get }
    /// Receives up to `batch.capacity` datagrams (with source and local destination); returns how many (0:
    /// none waited) and sets `batch.count`.
    func receive(into batch: DatagramBatch) throws(SystemError) -> Int
    /// Sends `batch` datagrams `start..<batch.count`.
    func send(_ batch: DatagramBatch, from start: Int) throws(SystemError) -> BatchProgress
    /// Closes the transport. Idempotent; stop the threads using it first.
    func close()
}

extension UDPSocket: DatagramTransport {}

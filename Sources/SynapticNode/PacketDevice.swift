// PacketDevice: what the data paths use of the TUN (the seam the virtual-network tests fill with an
// in-memory double). Every packet read or written starts with a virtio-net header (the TUN is opened with
// IFF_VNET_HDR): reads may be TSO/USO super-packets, writes may be coalesced TCP super-packets.
//
//   inside path:   readable (EventPoller on `fileDescriptor`) → readPacket until nil → split → seal → send
//   outside path:  open → coalesce → write, one (super-)packet gathered from its pieces per call
//
// The paths take the device as a generic parameter, not as `any PacketDevice`: the per-packet calls then
// compile to direct calls on `TunDevice` (specialized in the same module), with no existential dispatch and
// no allocation. A double makes itself pollable with a descriptor of its own (an eventfd that is readable
// while packets wait, say); the paths only register it, they never read it.
import SynapticPlatform

/// A layer-3 packet device with virtio-net headers: one packet per read or write, non-blocking.
///
/// Concurrency: one thread reads (the inside path) while another writes (the outside path); `fileDescriptor`
/// from either. Errors are `SystemError`s; a failed read means the device is gone (the inside path stops
/// reading it), a failed write drops that packet (counted).
protocol PacketDevice: AnyObject, Sendable {
    /// A descriptor that polls readable while a packet waits to be read (level-triggered).
    var fileDescriptor: Int32 { get }
    /// Reads one packet with its virtio-net header into `buffer` (cut to fit); nil when none waits.
    func readPacket(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int?
    /// Writes one packet gathered from `vectors`, its virtio-net header first; false when the device would
    /// block (the packet was not written).
    func write(_ vectors: IOVectors) throws(SystemError) -> Bool
}

extension TunDevice: PacketDevice {}

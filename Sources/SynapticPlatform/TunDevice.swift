// TunDevice: a layer-3 TUN interface (IFF_TUN | IFF_NO_PI), non-blocking, one packet per read or write
// (optionally each with a virtio-net header: IFF_VNET_HDR, and then super-packets with TUNSETOFFLOAD).
//
// Stages: open /dev/net/tun → TUNSETIFF (name, flags) → optional TUNSETOFFLOAD → interface index.
// Configuration (MTU, addresses, routes, link up) goes through rtnetlink: see TunDevice+Configuration.
// The device is not persistent: closing the descriptor (close() or deinit) removes the interface with
// its addresses and routes.

import CSynapticShims
import Glibc

/// A TUN interface owned by this process.
///
/// Needs CAP_NET_ADMIN (`SystemError.isPermissionDenied` without it). Created in the network namespace of
/// the calling thread. Sendable: one thread may read while another writes (the kernel allows concurrent
/// read and write on the descriptor); each batch has a single owner. Reads and writes never block: they
/// return what was possible and the caller waits for readiness on `fileDescriptor` with an EventPoller.
public final class TunDevice: Sendable {
    /// Options fixed when the device is created.
    public struct Options: Hashable, Sendable {
        /// IFF_VNET_HDR: every packet read or written starts with a `struct virtio_net_hdr`.
        public var virtioNetHeader: Bool
        /// TUNSETOFFLOAD flags; require `virtioNetHeader`.
        public var offloads: TunOffloads

        public init(virtioNetHeader: Bool = false, offloads: TunOffloads = []) {
            self.virtioNetHeader = virtioNetHeader
            self.offloads = offloads
        }
    }

    /// The interface name the kernel gave (the requested one, or the expansion of a "%d" pattern).
    public let name: String
    /// The interface index, for netlink and IPV6_PKTINFO.
    public let index: UInt32
    public let options: Options
    private let descriptor: Descriptor

    /// Creates the interface. `name` is at most 15 bytes; "hip%d" lets the kernel pick a free number.
    /// Errors: `isInvalidArgument` for a name that is empty or too long, or that the kernel rejects (EINVAL,
    /// e.g. containing "/"); `isPermissionDenied` without CAP_NET_ADMIN; EBUSY if the name is taken.
    public init(name: String, options: Options = Options()) throws(SystemError) {
        guard !name.isEmpty, name.utf8.count <= PlatformLimits.interfaceNameMaximum else {
            throw SystemError.invalidArgument("ioctl(TUNSETIFF)", "interface name \"\(name)\" must be 1...15 bytes")
        }
        guard options.offloads.isEmpty || options.virtioNetHeader else {
            throw SystemError.invalidArgument("ioctl(TUNSETOFFLOAD)", "offloads need the virtio-net header")
        }
        let fd = try SystemCall.retrying("open(/dev/net/tun)") {
            open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)
        }
        let descriptor = Descriptor(fd)

        var request = ifreq()
        withUnsafeMutableBytes(of: &request.ifr_ifrn.ifrn_name) { raw in
            raw.copyBytes(from: name.utf8)
        }
        var flags = SYNAPTIC_IFF_TUN | SYNAPTIC_IFF_NO_PI
        if options.virtioNetHeader { flags |= SYNAPTIC_IFF_VNET_HDR }
        request.ifr_ifru.ifru_flags = Int16(flags)
        _ = try SystemCall.retrying("ioctl(TUNSETIFF)") { ioctl(fd, SYNAPTIC_TUNSETIFF, &request) }
        if options.virtioNetHeader {
            _ = try SystemCall.retrying("ioctl(TUNSETOFFLOAD)") {
                ioctl(fd, SYNAPTIC_TUNSETOFFLOAD, Int32(bitPattern: options.offloads.rawValue))
            }
        }
        let actualName = withUnsafeBytes(of: &request.ifr_ifrn.ifrn_name) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let index = if_nametoindex(actualName)
        guard index != 0 else { throw SystemError(call: "if_nametoindex(\(actualName))", errno: Glibc.errno) }

        self.name = actualName
        self.index = index
        self.options = options
        self.descriptor = descriptor
    }

    /// The descriptor, for registering with an EventPoller; -1 once closed.
    public var fileDescriptor: Int32 { descriptor.rawValue }

    /// Closes the descriptor, which removes the interface, its addresses and routes. Idempotent.
    /// Stop the threads reading and writing first.
    public func close() {
        descriptor.close()
    }

    /// Reads one packet into `buffer`; nil when none is waiting. A packet longer than the buffer is cut.
    public func readPacket(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        let fd = descriptor.rawValue
        return try SystemCall.unlessWouldBlock("read(tun)") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// Writes one packet gathered from `vectors` (writev: a TUN takes one packet per call; with the virtio-net
    /// header, its first bytes are that header); false when the device would block (nothing was written).
    public func write(_ vectors: IOVectors) throws(SystemError) -> Bool {
        let fd = descriptor.rawValue
        return try SystemCall.unlessWouldBlock("writev(tun)") {
            Glibc.writev(fd, vectors.vectors, Int32(vectors.count))
        } != nil
    }
}

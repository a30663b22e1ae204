// TunOffloads: the TUNSETOFFLOAD flags (linux/if_tun.h TUN_F_*).

import CSynapticShims

/// What the TUN may hand us without segmenting or checksumming first (needs the virtio-net header, which
/// then describes each packet's GSO type and segment size). Used for GSO/GRO work in the data plane.
/// The kernel accepts USO only as both `.uso4` and `.uso6` together (EINVAL otherwise) and only from 6.2.
/// TSO with ECN (TUN_F_TSO_ECN) is not offered: the kernel then segments CWR-marked bursts itself.
public struct TunOffloads: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Packets may have a partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM).
    public static let checksum = TunOffloads(rawValue: UInt32(SYNAPTIC_TUN_F_CSUM))
    public static let tso4 = TunOffloads(rawValue: UInt32(SYNAPTIC_TUN_F_TSO4))
    public static let tso6 = TunOffloads(rawValue: UInt32(SYNAPTIC_TUN_F_TSO6))
    public static let uso4 = TunOffloads(rawValue: UInt32(SYNAPTIC_TUN_F_USO4))
    public static let uso6 = TunOffloads(rawValue: UInt32(SYNAPTIC_TUN_F_USO6))
}

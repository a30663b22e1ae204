// Constants of the node, in one place: protocol values (from RFCs and IANA), then implementation limits.
import Glibc
import HIPWire
import SynapticDataPlane

/// Numbers fixed by RFCs and registries that the node's shell uses.
public enum NodeProtocol {
    /// The HIP UDP port (RFC 9028 §5.11; IANA "hip-nat-t"), the default for locators without a port.
    public static let defaultUDPPort: UInt16 = 10500
    /// Bytes of the non-ESP marker in front of HIP packets over UDP (RFC 9028 §5.11).
    static let udpZeroMarkerLength = 4
    /// ORCHIDv2 prefix 2001:20::/28 (RFC 7343 §2), routed into the TUN.
    static let orchidPrefix = "2001:20::/28"
    /// LSI prefix 1.0.0.0/8, routed into the TUN.
    static let lsiPrefix = "1.0.0.0/8"
    /// Hop limit of rebuilt inner IPv6 headers (BEET, RFC 7402 §4): the TUN is the next hop.
    static let innerHopLimit: UInt8 = 64
    /// The largest HIP packet: HdrLen is 8 bits in units of 8 octets (RFC 7401 §5.1).
    static let maximumHIPPacketLength = (255 + 1) * 8
}

/// Limits of this implementation (our choices), shared by the node's threads.
public enum NodeLimits {
    /// Packets per TUN read batch, recvmmsg and sendmmsg.
    public static let batchCapacity = 64
    /// HIP packets per recvmmsg on a raw HIP socket (control traffic: small batches).
    static let rawHIPBatchCapacity = 8
    /// Batches a thread reads from one descriptor (TUN, UDP or raw socket) before it returns to its poller,
    /// which reports the descriptor again if more wait (level-triggered): a flood on one descriptor delays
    /// the thread's inbox, timers and other descriptors by this many batches at most.
    static let batchesPerWakeup = 8
    /// Inbox messages the control thread handles before it returns to its poller (HIP packets from UDP
    /// wait there, up to `controlQueueLimit`).
    static let controlMessagesPerWakeup = 64
    /// Parallel seal/open workers per direction when the configuration does not say: the available cores
    /// but one (left to the other direction and the control plane), at most 4 (a batch of 64 gives each
    /// worker 16 packets; more workers cost more in handoffs than they save), at least 1.
    public static var defaultDataPlaneWorkers: Int {
        max(1, min(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) - 1, 4))
    }
    /// Packets queued per peer while its base exchange runs (beyond: dropped and counted).
    public static let pendingPacketsPerPeer = 64
    /// Peers that may have packets queued at once (more: dropped and counted).
    public static let pendingPeers = 64
    /// Minimum time between two `.outboundData` requests for the same peer while packets wait.
    static let outboundRequestInterval: Duration = .seconds(1)
    /// Per-packet ESP overhead the outside buffers allow beyond the MTU (header, IV, padding, trailer, ICV).
    static let espOverhead = 64
    /// One TUN read: the virtio-net header and a packet or TSO/USO super-packet (at most 65535 bytes: the
    /// TUN's GSO limit and the IP length field).
    static let tunReadBufferSize = VirtioNetHeader.length + 65535
    /// One receive buffer of the UDP socket when it coalesces (UDP_GRO): the largest UDP payload.
    static let groReceiveBufferSize = 65535
    /// Sealed packets one UDP_SEGMENT send carries at most (the kernel's UDP_MAX_SEGMENTS, 64 up to Linux
    /// 6.9), and their bytes at most (the largest UDP payload over IPv4: 65535 − 20 − 8).
    static let gsoSegments = 64
    static let gsoBytes = 65507
    /// The largest TUN write: a coalesced head with its virtio-net header, and its members' payloads.
    static let tunWritePieces = 1 + DataPlaneLimits.maximumCoalescedSegments
    /// The shortest buffer a slot gets (room for a 1500-byte packet and its ESP overhead).
    static let minimumBufferSize = 2048
    /// How long shutdown waits for CLOSE_ACKs.
    public static let closeWait: Duration = .seconds(1)
    /// ESP packets the outside path keeps for an SA about to be installed, and for how long.
    static let parkedESPPackets = 64
    static let parkedESPAge: Duration = .milliseconds(250)
    /// HIP packets from UDP waiting for the control thread; beyond, they are dropped and counted.
    static let controlQueueLimit = 1024
    /// Room in the control queue beyond `controlQueueLimit` that only HIP packets from known peers'
    /// addresses may take (a flood from elsewhere fills the rest).
    static let knownSourceQueueReserve = 256
    /// HIP packets per second (bursts of as many) the core gets from addresses that are not known peers',
    /// per Sender's HIT (HIPSenderLimiter; HITs share `hipSenderBuckets` buckets by a keyed hash). More than
    /// any one host sends: an exchange, UPDATEs and keepalives are a handful per second.
    static let hipPacketsPerSenderPerSecond = 200
    static let hipSenderBuckets = 256
    /// The longest time between two traffic counts handed to the core (UAL, NAT keepalive).
    static let trafficCountInterval: Duration = .seconds(30)
    /// How often the node checks that each `[[servers]]` entry has a live association (else it starts one).
    static let registrationCheckInterval: Duration = .seconds(10)
    /// Unknown-SPI reports from the outside path to the control plane (UnknownSPIReportLimiter): per source
    /// address (sharing `unknownSPIReportBuckets` buckets by a keyed hash) and in all, per second (bursts
    /// of as many): one every 100 ms per source, 64 every 100 ms in all.
    static let unknownSPIReportsPerSourcePerSecond = 10
    static let unknownSPIReportsPerSecond = 640
    static let unknownSPIReportBuckets = 1024
    /// Reports of a new ESP source per inbound SA per second after its first (ESPSourceReports; bursts of
    /// as many): a peer that moves needs one, a flood of authentic packets from alternating sources no more.
    static let espSourceReportsPerSecond = 10
    /// Minimum time between two base exchanges that unknown SPIs from a peer's address start with that
    /// peer (spoofable: without it, a flood of them would restart exchanges back to back), and how many
    /// peers are remembered meanwhile (beyond: the others wait).
    static let unknownSPIBackoff: Duration = .seconds(5)
    static let unknownSPIBackoffPeers = 1024
    /// How long a status or metrics request waits for the node's threads to answer (all three together).
    static let snapshotWait: Duration = .seconds(2)
    /// Rejection (and "no locator") log lines per second (the rest are counted and summarized).
    static let rejectionLogsPerSecond = 5
    /// Bytes a status or metrics request may send before it is answered or refused.
    static let maximumRequestBytes = 4096
    /// How long a status or metrics client may take to send its request and take the reply, together (the
    /// time the node's threads take to answer is not counted); then it is cut off.
    static let requestTimeout: Duration = .seconds(1)
    /// The shortest time between two reads of a transport's socket tables (/proc) by the outside path, which
    /// decide the family of the flows peers start: flows starting meanwhile use the last read, so a peer
    /// scanning our ports costs at most 50 reads a second. Also how late a new listener may be seen.
    static let listenerRecheckInterval: Duration = .milliseconds(20)
    /// How long a read answers for ports a socket waited on (their listeners rarely change family).
    static let listenerTableInterval: Duration = .milliseconds(250)
    /// How long `writable` waits for a socket that would block before its datagrams are dropped.
    static let sendBlockedWaitMilliseconds: Int32 = 100
}

extension NodeLimits {
    /// The slot size for packets of `mtu` bytes plus ESP overhead and the data plane's headroom and
    /// tailroom (multiple of 64).
    static func bufferSize(mtu: Int) -> Int {
        let needed = DataPlaneLimits.headroom + mtu + espOverhead + DataPlaneLimits.tailroom
        return max(minimumBufferSize, (needed + 63) / 64 * 64)
    }
}

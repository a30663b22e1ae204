// PlatformLimits: implementation limits and defaults of SynapticPlatform, in one place.
// (Kernel ABI numbers live in CSynapticShims.h, checked against the system headers at compile time.)

/// Limits and defaults callers may want to see; the rest are internal.
public enum PlatformLimits {
    /// IFNAMSIZ - 1: the longest interface name the kernel accepts.
    public static let interfaceNameMaximum = 15
    /// Netlink datagrams (replies, notifications): the kernel sizes them at most 32 KiB, so this never truncates.
    static let netlinkReceiveBuffer = 64 * 1024
    /// Receive buffer requested for an AddressMonitor (SO_RCVBUFFORCE when permitted): room for thousands of
    /// notifications (an address change costs about 1 KiB of buffer), so a burst rarely overflows it.
    public static let addressMonitorReceiveBuffer = 1024 * 1024
    /// Datagrams one AddressMonitor.read takes before it returns; the poller reports the socket again if
    /// more wait (level-triggered), so a flood of changes cannot hold the calling thread.
    static let addressMonitorDatagramsPerRead = 256
    /// How long a netlink request waits for its reply before failing with EAGAIN.
    static let netlinkReplyTimeoutSeconds = 5
    /// Control-message space per datagram: IPV6_PKTINFO (40 with header) + UDP_GRO/UDP_SEGMENT (24) and slack.
    static let controlBytesPerDatagram = 128
    /// Default socket buffer size requested for UDP and raw sockets (SO_RCVBUFFORCE when permitted).
    public static let defaultSocketBufferBytes = 4 * 1024 * 1024
    /// Bytes per read(2) of a /proc file (a socket table line is 150 bytes; the kernel fills what fits).
    static let procReadChunk = 16 * 1024
    /// How long TunDevice.configure waits for the kernel to install the local routes of its addresses.
    static let localRouteWait = Duration.seconds(2)
}

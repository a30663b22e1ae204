// CapabilitySet: Linux capabilities as a bit set, read from /proc (capabilities(7), proc(5) "CapEff").
//
// /proc/thread-self/status has a line "CapEff:\t0000003fffffffff": the effective set as 16 hex digits,
// bit n = capability n. The thread's own file is read because capabilities are per thread on Linux.

/// A set of Linux capabilities. The node checks `.netAdmin` (TUN, netlink) and `.netRaw` (raw HIP sockets)
/// before using them, to log what it will do without them. Sendable value.
public struct CapabilitySet: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// CAP_NET_ADMIN (12): create and configure the TUN, force socket buffer sizes.
    public static let netAdmin = CapabilitySet(rawValue: 1 << 12)
    /// CAP_NET_RAW (13): raw IP sockets (HIP on protocol 139).
    public static let netRaw = CapabilitySet(rawValue: 1 << 13)

    /// The effective capabilities of the calling thread. Throws `SystemError` if /proc cannot be read or
    /// has no CapEff line.
    public static func effective() throws(SystemError) -> CapabilitySet {
        try CapabilitySet(procStatus: ProcFile.readText(ProcFile.path("status")))
    }

    /// The effective set from the text of a /proc/<pid>/status file. Throws `SystemError` (malformed) when
    /// the CapEff line is missing or is not 1 to 16 hex digits.
    public init(procStatus text: String) throws(SystemError) {
        for line in text.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let digits = line.dropFirst("CapEff:".count).trimmingPrefix { $0 == " " || $0 == "\t" }
            guard (1...16).contains(digits.count), digits.allSatisfy(\.isHexDigit),
                  let value = UInt64(digits, radix: 16) else {
                throw SystemError.malformed("CapEff", "\"\(line)\"")
            }
            self.init(rawValue: value)
            return
        }
        throw SystemError.malformed("CapEff", "no CapEff line")
    }
}

// CapabilitySet: Linux capabilities as a bit set, read from /proc (capabilities(7), proc(5) "CapEff").
//
// /proc/thread-self/status has a line "CapEff:\t0000003fffffffff": the effective set as 16 hex digits,
// bit n = capability n. The thread's own file is read because capabilities are per thread on Linux.

import CSynapticShims
import Glibc

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

    /// The permitted capabilities of the calling thread (what it may make effective). Throws `SystemError`
    /// if /proc cannot be read or has no CapPrm line.
    public static func permitted() throws(SystemError) -> CapabilitySet {
        try CapabilitySet(procStatus: ProcFile.readText(ProcFile.path("status")), field: "CapPrm")
    }

    /// Makes those of `wanted` that the calling thread holds in its permitted set effective too, and returns
    /// the effective set afterwards. A program started from a file with capabilities in its permitted set
    /// only (`setcap cap_net_admin,cap_net_raw+p`, as in the container image) gets them permitted but not
    /// effective; without the file's effective bit the kernel still runs it when the container grants only
    /// some of them (with +ep, execve fails with EPERM unless every file capability is granted). Call it on
    /// the main thread before any other thread exists: threads inherit the set. Throws `SystemError` when
    /// /proc cannot be read or capset(2) fails.
    @discardableResult
    public static func raiseEffective(_ wanted: CapabilitySet) throws(SystemError) -> CapabilitySet {
        let effective = try effective()
        let raise = wanted.intersection(try permitted()).subtracting(effective)
        guard !raise.isEmpty else { return effective }
        if synaptic_set_thread_effective_capabilities(effective.union(raise).rawValue) != 0 {
            throw SystemError(call: "capset", errno: Glibc.errno)
        }
        return try self.effective()
    }

    /// The effective set (or the set named by `field`, e.g. "CapPrm") from the text of a /proc/<pid>/status
    /// file. Throws `SystemError` (malformed) when the line is missing or is not 1 to 16 hex digits.
    public init(procStatus text: String, field: String = "CapEff") throws(SystemError) {
        let prefix = field + ":"
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let digits = line.dropFirst(prefix.count).trimmingPrefix { $0 == " " || $0 == "\t" }
            guard (1...16).contains(digits.count), digits.allSatisfy(\.isHexDigit),
                  let value = UInt64(digits, radix: 16) else {
                throw SystemError.malformed(field, "\"\(line)\"")
            }
            self.init(rawValue: value)
            return
        }
        throw SystemError.malformed(field, "no \(field) line")
    }
}

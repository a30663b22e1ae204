// SystemError: the one error type of SynapticPlatform.

import Glibc

/// A failed system call or a kernel reply that could not be used.
///
/// Every throwing API of SynapticPlatform throws this type. `call` names what failed, e.g.
/// `"ioctl(TUNSETIFF)"` or `"RTM_NEWADDR"`; `errno` is set when the kernel reported an errno (directly or
/// in a netlink error reply), so callers can react to specific conditions (`isPermissionDenied` for a
/// missing CAP_NET_ADMIN/CAP_NET_RAW, `isAddressInUse` for a taken port). A value type, safe to pass
/// between threads. Creating one allocates only for the error text; the data path never throws for
/// expected conditions (EAGAIN is a return value, not an error).
public struct SystemError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        /// The kernel returned -1 with this errno (or a netlink error reply carried it).
        case errno(Int32)
        /// A caller-supplied value the call cannot accept, e.g. an interface name longer than 15 bytes.
        case invalidArgument(String)
        /// A kernel reply or a /proc file did not have the expected format.
        case malformed(String)
    }

    /// The system call, ioctl, socket option or netlink request that failed.
    public let call: String
    private let reason: Reason
    /// Extra text from the kernel (a netlink extended-ack message) or about the argument.
    public let detail: String?

    init(call: String, errno code: Int32, detail: String? = nil) {
        self.call = call
        self.reason = .errno(code)
        self.detail = detail
    }

    static func invalidArgument(_ call: String, _ text: String) -> SystemError {
        SystemError(call: call, reason: .invalidArgument(text), detail: nil)
    }

    static func malformed(_ call: String, _ text: String) -> SystemError {
        SystemError(call: call, reason: .malformed(text), detail: nil)
    }

    private init(call: String, reason: Reason, detail: String?) {
        self.call = call
        self.reason = reason
        self.detail = detail
    }

    /// The errno the kernel reported, or nil when the failure was detected before or after the call.
    public var errno: Int32? {
        if case .errno(let code) = reason { return code }
        return nil
    }

    /// EPERM or EACCES: typically a missing capability (CAP_NET_ADMIN for the TUN, CAP_NET_RAW for raw sockets).
    public var isPermissionDenied: Bool { errno == EPERM || errno == EACCES }

    /// EADDRINUSE: the address and port are already bound.
    public var isAddressInUse: Bool { errno == EADDRINUSE }

    /// The caller passed a value the call cannot accept (checked before the kernel saw it).
    public var isInvalidArgument: Bool {
        if case .invalidArgument = reason { return true }
        return errno == EINVAL
    }

    /// A kernel reply or a /proc file did not have the expected format.
    public var isMalformedReply: Bool {
        if case .malformed = reason { return true }
        return false
    }

    public var description: String {
        var text: String
        switch reason {
        case .errno(let code):
            text = "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .invalidArgument(let what):
            text = "\(call): invalid argument: \(what)"
        case .malformed(let what):
            text = "\(call): malformed reply: \(what)"
        }
        if let detail { text += ": \(detail)" }
        return text
    }
}

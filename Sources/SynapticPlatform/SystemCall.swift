// SystemCall: the one wrapper every system call in SynapticPlatform goes through.

import Glibc

/// Runs a system call, retries it while it fails with EINTR, and turns a -1 result into a `SystemError`
/// that names the call and carries errno. Internal: public APIs throw the `SystemError`.
enum SystemCall {
    /// Calls `body` until it does not fail with EINTR. `call` names it in the error (a literal: no allocation).
    @inline(__always)
    static func retrying<Result: FixedWidthInteger & SignedInteger>(
        _ call: String, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(call: call, errno: code)
        }
    }

    /// As `retrying`, for non-blocking descriptors: EAGAIN/EWOULDBLOCK returns nil instead of throwing.
    @inline(__always)
    static func unlessWouldBlock<Result: FixedWidthInteger & SignedInteger>(
        _ call: String, _ body: () -> Result
    ) throws(SystemError) -> Result? {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError(call: call, errno: code)
        }
    }

    /// setsockopt(2) with a value of any trivial type.
    static func setOption<Value: BitwiseCopyable>(
        _ fd: Int32, level: Int32, name: Int32, value: Value, call: String
    ) throws(SystemError) {
        var copy = value
        _ = try retrying(call) {
            setsockopt(fd, level, name, &copy, socklen_t(MemoryLayout<Value>.size))
        }
    }

    /// getsockname(2) into `address`, a structure of the socket's family (sockaddr_storage, sockaddr_nl).
    /// Returns the length the kernel reports.
    static func socketName<Address: BitwiseCopyable>(_ fd: Int32, into address: inout Address,
                                                     call: String) throws(SystemError) -> Int {
        var length = socklen_t(MemoryLayout<Address>.size)
        _ = try retrying(call) {
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
        }
        return Int(length)
    }

    /// getsockopt(2) of a 32-bit integer option.
    static func integerOption(_ fd: Int32, level: Int32, name: Int32, call: String) throws(SystemError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try retrying(call) { getsockopt(fd, level, name, &value, &length) }
        return value
    }
}

// ProcFile: the kernel's text files under /proc, as seen by the calling thread.

import Glibc

/// Reads /proc files. Any thread; each call opens, reads to the end and closes.
enum ProcFile {
    /// `/proc/thread-self/<name>`: the calling thread's view (its capabilities, its network namespace),
    /// or `/proc/self/<name>` on kernels without thread-self (before 3.17).
    static func path(_ name: String) -> String {
        access("/proc/thread-self", F_OK) == 0 ? "/proc/thread-self/\(name)" : "/proc/self/\(name)"
    }

    /// Reads a text file of unknown size (a /proc file: read until end of file). Throws `SystemError`
    /// naming the path when it cannot be opened or read.
    static func readText(_ path: String) throws(SystemError) -> String {
        let fd = try SystemCall.retrying("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) }
        let file = Descriptor(fd)
        defer { file.close() }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: PlatformLimits.procReadChunk, alignment: 1)
        defer { chunk.deallocate() }
        var bytes: [UInt8] = []
        while true {
            let count = try SystemCall.retrying("read(\(path))") { Glibc.read(file.rawValue, chunk.baseAddress, chunk.count) }
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

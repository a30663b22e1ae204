// StreamSocket: the small stream sockets of the node's services: the status socket (Unix, 0600) and the
// metrics listener (TCP), both answering one short request per connection, and the status client.
//
//   listener: socket → bind (Unix: mode 0600; a file in the way is another node's socket (refused) or a
//             stale one (replaced)) → listen; accept is non-blocking
//   connection: read until the request is complete, a byte limit, or a deadline → write all by a deadline
//               → close. Reads and writes never block (MSG_DONTWAIT, poll until the deadline), so one
//               slow client (trickling its request, or never reading the reply) costs its deadline at most.
// (SynapticPlatform has no stream sockets yet; these use Glibc directly and could move there.)
import Glibc
import HIPCore
import SynapticPlatform

/// A listening socket. `accept` from the service thread; `close` after it stopped.
final class StreamListener: Sendable {
    let fileDescriptor: Int32
    /// The Unix socket path (removed on close), or nil for TCP.
    let unixPath: String?

    private init(fileDescriptor: Int32, unixPath: String?) {
        self.fileDescriptor = fileDescriptor
        self.unixPath = unixPath
    }

    /// A Unix stream socket at `path` with mode 0600, its directory created (0755) if missing. Refuses a
    /// path where another node answers; replaces a stale socket file (nothing listens on it). The bind comes
    /// first, so of two nodes starting at once on one path exactly one gets it.
    static func unix(path: String) throws(NodeError) -> StreamListener {
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw .file(path, "socket path too long")
        }
        try FileSystem.createParentDirectory(of: path, mode: 0o755)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .file(path, "socket: \(lastError())") }
        var bound = bindUnix(fd, path)
        if !bound && errno == EADDRINUSE {
            // The file exists: another node's socket, a stale one (a node that was killed), or something else.
            if let connection = try? StreamConnection.connect(unixPath: path) {
                connection.close()
                Glibc.close(fd)
                throw .file(path, "another synaptic node is already serving this status socket "
                            + "(give this node its own [status] socket, or another [tun] name)")
            }
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else {
                Glibc.close(fd)
                throw .file(path, "exists and is not a socket")
            }
            unlink(path)
            bound = bindUnix(fd, path)
        }
        guard bound, chmod(path, 0o600) == 0, listen(fd, 16) == 0 else {
            let error = lastError()
            Glibc.close(fd)
            throw .file(path, "cannot serve the status socket: \(error)")
        }
        return StreamListener(fileDescriptor: fd, unixPath: path)
    }

    /// Binds `fd` to `path`; the file gets mode 0600 from the umask at bind time (startup is single-threaded
    /// here). False with errno set on failure.
    private static func bindUnix(_ fd: Int32, _ path: String) -> Bool {
        var address = unixAddress(path)
        let previous = umask(0o177)
        defer { umask(previous) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }

    /// A TCP listener on `address` (SO_REUSEADDR, so a restart can bind at once).
    static func tcp(_ address: SocketAddress) throws(NodeError) -> StreamListener {
        let family = address.family == .v4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .setup("metrics listener \(address)", "socket: \(lastError())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length = withUnsafeMutablePointer(to: &storage) { address.write(sockaddr: UnsafeMutableRawPointer($0)) }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = lastError()
            Glibc.close(fd)
            throw .setup("metrics listener \(address)", error)
        }
        return StreamListener(fileDescriptor: fd, unixPath: nil)
    }

    /// The next waiting connection, or nil.
    func accept() -> StreamConnection? {
        let fd = Glibc.accept(fileDescriptor, nil, nil)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return StreamConnection(fileDescriptor: fd)
    }

    /// Closes the socket and removes the Unix socket file.
    func close() {
        Glibc.close(fileDescriptor)
        if let unixPath { unlink(unixPath) }
    }
}

/// A connected stream socket whose reads and writes end by a deadline (they never block). Closed on
/// `close()` or deinit.
final class StreamConnection {
    private var fileDescriptor: Int32

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit { close() }

    /// Connects to the Unix socket at `path`. Errors: `NodeError.staleSocket` when the file is there but
    /// nothing listens, `notRunning` for anything else (no such file, no permission).
    static func connect(unixPath path: String) throws(NodeError) -> StreamConnection {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .notRunning(path, "socket: \(lastError())") }
        let connection = StreamConnection(fileDescriptor: fd)
        var address = unixAddress(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw errno == ECONNREFUSED ? .staleSocket(path) : .notRunning(path, lastError()) }
        return connection
    }

    /// Reads until `isComplete` says the bytes so far are a whole request, the peer closes, or `limit` bytes
    /// arrived, all by `deadline` (MonotonicClock). Returns what arrived (nil if the deadline passed, the
    /// limit was reached or an error came before completion).
    func read(limit: Int, until deadline: Instant, isComplete: ([UInt8]) -> Bool) -> [UInt8]? {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !isComplete(received) {
            guard received.count < limit else { return nil }
            let count = chunk.withUnsafeMutableBytes {
                recv(fileDescriptor, $0.baseAddress, min($0.count, limit - received.count), Int32(MSG_DONTWAIT))
            }
            if count > 0 {
                received += chunk[..<count]
            } else if count == 0 {
                return received
            } else if errno != EINTR {
                guard errno == EAGAIN || errno == EWOULDBLOCK, wait(for: POLLIN, until: deadline) else { return nil }
            }
        }
        return received
    }

    /// Writes all of `bytes` by `deadline` (MonotonicClock); false on an error or when the peer did not
    /// take them in time.
    @discardableResult
    func write(_ bytes: [UInt8], until deadline: Instant) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(fileDescriptor, $0.baseAddress! + offset, $0.count - offset,
                     Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if count > 0 {
                offset += count
            } else if count == 0 || errno != EINTR {
                guard count == 0 || errno == EAGAIN || errno == EWOULDBLOCK, wait(for: POLLOUT, until: deadline) else {
                    return false
                }
            }
        }
        return true
    }

    /// Waits until the socket is ready for `events` (POLLIN, POLLOUT) or `deadline` passes; true if ready
    /// (or in error, which the next call reports).
    private func wait(for events: Int32, until deadline: Instant) -> Bool {
        while true {
            let milliseconds = deadline.timeoutMilliseconds(from: MonotonicClock.now())
            guard milliseconds > 0 else { return false }
            var poller = pollfd(fd: fileDescriptor, events: Int16(events), revents: 0)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0 && errno != EINTR { return false }
        }
    }

    /// Ends the sending direction (the peer reads end-of-file).
    func finishWriting() {
        shutdown(fileDescriptor, Int32(SHUT_WR))
    }

    func close() {
        if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
        fileDescriptor = -1
    }
}

/// A sockaddr_un for `path` (the caller checked the length).
private func unixAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: path.utf8.prefix(raw.count - 1))
    }
    return address
}

/// The text of the current errno.
private func lastError() -> String {
    String(cString: strerror(errno))
}

// NetnsThread: running a closure on a fresh thread that has joined a network namespace.
//
// setns(CLONE_NEWNET) changes only the calling thread, so the closure gets a thread of its own that
// joins the namespace, runs it and exits; no pooled thread is ever left in another namespace. Sockets,
// TUN devices and netlink sockets created by the closure stay in that namespace for their whole life,
// and may be used from any thread afterwards.

import CSynapticShims
import Glibc

enum NetnsThread {
    private final class Job: @unchecked Sendable {
        let work: () -> Void
        init(_ work: @escaping () -> Void) {
            self.work = work
        }
    }

    /// Runs `body` on a new thread in the namespace at `path` (/run/netns/NAME) and waits for it.
    static func run<T>(inNamespaceAt path: String, _ body: () throws -> T) throws -> T {
        try withoutActuallyEscaping(body) { body in
            var result: Result<T, any Error> = .failure(NetnsError("thread did not run"))
            try withUnsafeMutablePointer(to: &result) { slot in
                let resultSlot = slot
                let job = Job {
                    resultSlot.pointee = Result {
                        let fd = open(path, O_RDONLY | O_CLOEXEC)
                        guard fd >= 0 else { throw NetnsError("open \(path): \(String(cString: strerror(errno)))") }
                        defer { close(fd) }
                        guard synaptic_setns(fd, SYNAPTIC_CLONE_NEWNET) == 0 else {
                            throw NetnsError("setns \(path): \(String(cString: strerror(errno)))")
                        }
                        return try body()
                    }
                }
                try startAndJoin(job)
            }
            return try result.get()
        }
    }

    private static func startAndJoin(_ job: Job) throws {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(job).toOpaque()
        let status = pthread_create(&thread, nil, { context in
            let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
            job.work()
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            throw NetnsError("pthread_create: \(String(cString: strerror(status)))")
        }
        pthread_join(thread, nil)
    }
}

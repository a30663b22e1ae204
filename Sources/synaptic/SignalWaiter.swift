// SignalWaiter: SIGTERM, SIGINT and SIGHUP handled on one thread with sigwait (no async-signal context).
import Foundation
import Glibc

/// Blocks the given signals in the calling thread (and so in every thread it creates later) and, once
/// started, waits for them on a thread of its own.
struct SignalWaiter {
    private let signals: [Int32]

    /// Call first in `main`, before any other thread is created.
    init(blocking signals: [Int32]) {
        self.signals = signals
        var set = SignalWaiter.set(of: signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Calls `handle` with each signal that arrives, on a dedicated thread, until it returns false.
    func start(_ handle: @escaping @Sendable (Int32) -> Bool) {
        let signals = self.signals
        let thread = Thread {
            var set = SignalWaiter.set(of: signals)
            var received: Int32 = 0
            while sigwait(&set, &received) == 0 {
                guard handle(received) else { return }
            }
        }
        thread.name = "synaptic-signals"
        thread.start()
    }

    private static func set(of signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

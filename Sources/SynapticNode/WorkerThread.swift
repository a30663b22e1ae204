// WorkerThread: a dedicated thread for one of the node's loops (blocking waits never sit on Dispatch's
// shared pools). A thread created here inherits the creating thread's network namespace.
import Dispatch
import Foundation

/// A started thread that can be waited for. `join` from any thread other than itself.
final class WorkerThread: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `body` on a new thread named `name`.
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let finished = self.finished
        let thread = Thread {
            body()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Waits until the body has returned.
    func join() {
        finished.wait()
        finished.signal()
    }
}

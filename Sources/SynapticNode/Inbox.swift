// Inbox: messages for one of the node's threads, and the poller wake-up that tells it to look.
import Dispatch
import Synchronization
import SynapticPlatform

/// A message queue drained by the thread that waits on `poller`. `post` from any thread; `drain` only from
/// the owning thread. Messages are rare (control events, SA changes, status requests): the data path
/// itself never posts in steady state, so the lock and the array growth are not per packet.
final class Inbox<Message: Sendable>: Sendable {
    let poller: EventPoller
    private let messages = Mutex<[Message]>([])

    init(poller: EventPoller) {
        self.poller = poller
    }

    /// Queues `message` and wakes the owning thread.
    func post(_ message: Message) {
        messages.withLock { $0.append(message) }
        try? poller.wake()
    }

    /// Queues `message` unless `limit` messages already wait (then returns false: the caller counts the
    /// drop). For input that arrives from the network at the sender's pace.
    func post(_ message: Message, limit: Int) -> Bool {
        let queued = messages.withLock { queue in
            guard queue.count < limit else { return false }
            queue.append(message)
            return true
        }
        if queued { try? poller.wake() }
        return queued
    }

    /// Takes at most `limit` queued messages, oldest first; if more wait, wakes the owning thread again so
    /// that its next wait returns at once.
    func drain(limit: Int) -> [Message] {
        let (taken, more) = messages.withLock { queued in
            guard queued.count > limit else {
                var taken: [Message] = []
                swap(&taken, &queued)
                return (taken, false)
            }
            let taken = Array(queued.prefix(limit))
            queued.removeFirst(limit)
            return (taken, true)
        }
        if more { try? poller.wake() }
        return taken
    }

    /// Takes every queued message, oldest first.
    func drain() -> [Message] {
        drain(limit: .max)
    }
}

extension DispatchTime {
    /// `duration` from now (to the millisecond).
    static func after(_ duration: Duration) -> DispatchTime {
        .now() + .milliseconds(Int(duration.milliseconds))
    }
}

/// A one-shot answer from another thread, waited for with a time limit. Any thread.
final class Reply<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)
    private let delivered = DispatchSemaphore(value: 0)

    /// Delivers the answer; call once.
    func deliver(_ answer: Value) {
        value.withLock { $0 = answer }
        delivered.signal()
    }

    /// The answer, or nil if none came within `timeout`.
    func wait(timeout: Duration) -> Value? {
        wait(until: .after(timeout))
    }

    /// The answer, or nil if none came by `deadline` (several replies can share one deadline).
    func wait(until deadline: DispatchTime) -> Value? {
        guard delivered.wait(timeout: deadline) == .success else { return nil }
        return value.withLock { $0 }
    }
}

// EventPoller: readiness of several descriptors plus a wake-up, on epoll(7) and an eventfd(2).
//
// Chosen over DispatchSource read sources: the node's receive loops are a few dedicated threads that
// each wait for readiness, then drain a descriptor in batches (recvmmsg, TUN reads until EAGAIN) and hand
// whole batches to the Dispatch pipeline. epoll gives that with one call for all descriptors, no
// allocation or queue hop per event, explicit control of which thread runs the loop (blocking calls never
// sit on a global concurrent queue), and a clean way to stop: wake() from any thread. DispatchSource on
// Linux is itself built on epoll, but adds a block dispatch per event and its handlers are not checked
// for Sendable captures (see swift-linux-notes §5), so the pipeline's queues begin after this loop.
//
// Loop: wait(into:) → for each event: the wake token (stop or new work), or a registered token whose
// descriptor is readable/writable → drain it until it would block (level-triggered by default).

import CSynapticShims
import Glibc

/// An epoll instance with an eventfd for wake-ups.
///
/// Sendable: `register`, `modify`, `unregister` and `wake` may be called from any thread; `wait` from one
/// thread at a time (each waiting thread has its own `ReadyEvents`). Errors are `SystemError`s naming the
/// call (errno EEXIST when registering a descriptor twice, ENOENT when modifying one not registered).
public final class EventPoller: Sendable {
    /// What a registered descriptor is watched for.
    public struct Interest: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }
        public static let readable = Interest(rawValue: EPOLLIN.rawValue)
        public static let writable = Interest(rawValue: EPOLLOUT.rawValue)
    }

    /// The token `wait` reports when `wake()` was called.
    public static let wakeToken = UInt64.max

    private let poll: Descriptor
    private let wakeEvent: Descriptor

    public init() throws(SystemError) {
        poll = Descriptor(try SystemCall.retrying("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) })
        wakeEvent = Descriptor(try SystemCall.retrying("eventfd") {
            eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        })
        try control(EPOLL_CTL_ADD, wakeEvent.rawValue, token: EventPoller.wakeToken, events: EPOLLIN.rawValue,
                    call: "epoll_ctl(ADD eventfd)")
    }

    /// Watches `fd` for `interest`; events for it carry `token` (any value but `wakeToken`).
    /// Edge-triggered reports only changes: the reader must then drain until EAGAIN every time.
    public func register(_ fd: Int32, token: UInt64, for interest: Interest,
                         edgeTriggered: Bool = false) throws(SystemError) {
        guard token != EventPoller.wakeToken else {
            throw SystemError.invalidArgument("epoll_ctl(ADD)", "token \(token) is reserved for wake-ups")
        }
        try control(EPOLL_CTL_ADD, fd, token: token, events: mask(interest, edgeTriggered), call: "epoll_ctl(ADD)")
    }

    /// Changes what `fd` is watched for (e.g. add `.writable` while a send is pending).
    public func modify(_ fd: Int32, token: UInt64, for interest: Interest, edgeTriggered: Bool = false) throws(SystemError) {
        try control(EPOLL_CTL_MOD, fd, token: token, events: mask(interest, edgeTriggered), call: "epoll_ctl(MOD)")
    }

    /// Stops watching `fd`. Closing a descriptor also removes it.
    public func unregister(_ fd: Int32) throws(SystemError) {
        try control(EPOLL_CTL_DEL, fd, token: 0, events: 0, call: "epoll_ctl(DEL)")
    }

    /// Waits until a watched descriptor is ready, `wake()` is called, or `timeoutMilliseconds` pass (-1:
    /// no limit), and fills `events`. Returns the number of events (0 on timeout). Wake-ups are drained
    /// here and reported once as `wakeToken`.
    @discardableResult
    public func wait(into events: ReadyEvents, timeoutMilliseconds: Int32) throws(SystemError) -> Int {
        let fd = poll.rawValue
        let count = try SystemCall.retrying("epoll_wait") {
            epoll_wait(fd, events.storage, Int32(events.capacity), timeoutMilliseconds)
        }
        for index in 0..<Int(count) where events.storage[index].data.u64 == EventPoller.wakeToken {
            var counter: UInt64 = 0
            _ = try SystemCall.unlessWouldBlock("read(eventfd)") {
                Glibc.read(wakeEvent.rawValue, &counter, MemoryLayout<UInt64>.size)
            }
        }
        events.count = Int(count)
        return Int(count)
    }

    /// Makes the current or next `wait` return with a `wakeToken` event. Any thread; never blocks.
    public func wake() throws(SystemError) {
        var one: UInt64 = 1
        _ = try SystemCall.unlessWouldBlock("write(eventfd)") {
            Glibc.write(wakeEvent.rawValue, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Closes the epoll instance and the eventfd. Idempotent; stop the waiting thread first (wake it).
    public func close() {
        poll.close()
        wakeEvent.close()
    }

    private func mask(_ interest: Interest, _ edgeTriggered: Bool) -> UInt32 {
        interest.rawValue | (edgeTriggered ? EPOLLET.rawValue : 0)
    }

    private func control(_ operation: Int32, _ fd: Int32, token: UInt64, events: UInt32, call: String) throws(SystemError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        let pollFD = poll.rawValue
        _ = try SystemCall.retrying(call) { epoll_ctl(pollFD, operation, fd, &event) }
    }
}

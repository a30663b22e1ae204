// ReadyEvents: the preallocated event array one EventPoller.wait call fills.

import CSynapticShims
import Glibc

/// Up to `capacity` readiness events from one `EventPoller.wait`. Allocated once; owned by the one thread
/// that waits with it (not Sendable).
public final class ReadyEvents {
    /// One descriptor's readiness.
    public struct Event: Hashable, Sendable {
        /// The token given at registration, or `EventPoller.wakeToken`.
        public let token: UInt64
        public let isReadable: Bool
        public let isWritable: Bool
        /// EPOLLERR or EPOLLHUP: the next read or write reports the condition.
        public let isErrorOrHangup: Bool
    }

    let storage: UnsafeMutablePointer<epoll_event>
    public let capacity: Int
    /// Events filled by the last wait.
    public internal(set) var count = 0

    public init(capacity: Int = 64) {
        precondition(capacity > 0, "ReadyEvents needs room for one event")
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
        storage.initialize(repeating: epoll_event(), count: capacity)
    }

    deinit { storage.deallocate() }

    public subscript(index: Int) -> Event {
        precondition(index >= 0 && index < count, "event index out of range")
        let event = storage[index]
        return Event(token: event.data.u64, isReadable: event.events & EPOLLIN.rawValue != 0,
                     isWritable: event.events & EPOLLOUT.rawValue != 0,
                     isErrorOrHangup: event.events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0)
    }
}

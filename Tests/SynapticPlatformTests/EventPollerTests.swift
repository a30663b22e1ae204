// EventPoller: readiness of registered descriptors, wake-ups from another thread, timeouts, errors.

import Dispatch
import Glibc
import SynapticDataPlane
@testable import SynapticPlatform
import SynapticTestSupport
import Testing

@Suite struct EventPollerTests {
    @Test func timeoutWithNothingReady() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        let events = ReadyEvents(capacity: 4)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 10) == 0)
        #expect(events.count == 0)
    }

    @Test func wakeFromAnotherThread() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { try? poller.wake() }
        let events = ReadyEvents(capacity: 4)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 5000) == 1)
        #expect(events[0].token == EventPoller.wakeToken && events[0].isReadable)
        // The wake-up was drained: the next wait times out.
        #expect(try poller.wait(into: events, timeoutMilliseconds: 10) == 0)
    }

    @Test func reportsReadableAndWritableSockets() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        let receiver = try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0))
        let sender = try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0))
        defer { receiver.close(); sender.close() }
        try poller.register(receiver.fileDescriptor, token: 7, for: .readable)
        try poller.register(sender.fileDescriptor, token: 8, for: .writable)
        let events = ReadyEvents(capacity: 4)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 1000) == 1)
        #expect(events[0].token == 8 && events[0].isWritable && !events[0].isReadable)
        try poller.modify(sender.fileDescriptor, token: 8, for: [])

        let memory = PacketBatch(capacity: 1)
        let batch = DatagramBatch(capacity: 1)
        batch.append(copying: [1, 2, 3, 4, 5], into: memory, to: try receiver.localAddress())
        #expect(try sender.send(batch).sent == 1)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 1000) == 1)
        #expect(events[0].token == 7 && events[0].isReadable)
        try poller.unregister(receiver.fileDescriptor)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 10) == 0)
    }

    @Test func typedErrors() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        let socket = try UDPSocket(bindingTo: SocketAddress(InetAddress("127.0.0.1")!, port: 0))
        defer { socket.close() }
        #expect { try poller.register(socket.fileDescriptor, token: EventPoller.wakeToken, for: .readable) }
            throws: { ($0 as? SystemError)?.isInvalidArgument == true }
        #expect { try poller.unregister(socket.fileDescriptor) } throws: { ($0 as? SystemError)?.errno == ENOENT }
        try poller.register(socket.fileDescriptor, token: 1, for: .readable)
        #expect { try poller.register(socket.fileDescriptor, token: 1, for: .readable) }
            throws: { ($0 as? SystemError)?.errno == EEXIST && ($0 as? SystemError)?.call == "epoll_ctl(ADD)" }
        socket.close()
        #expect(socket.fileDescriptor == -1)
        let memory = PacketBatch(capacity: 1)
        let batch = DatagramBatch(capacity: 1)
        batch.receive(into: memory, bytes: 64)
        #expect { try socket.receive(into: batch) } throws: { ($0 as? SystemError)?.errno == EBADF }
    }
}

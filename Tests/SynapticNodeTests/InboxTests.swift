// The inboxes between the node's threads: order, the bound on network-paced input, wake-ups, replies.
import Dispatch
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct InboxTests {
    @Test func keepsOrderBoundsNetworkInputAndWakesTheOwner() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        let inbox = Inbox<Int>(poller: poller)
        inbox.post(1)
        #expect(inbox.post(2, limit: 3))
        #expect(inbox.post(3, limit: 3))
        #expect(!inbox.post(4, limit: 3))       // full for bounded input
        inbox.post(5)                           // control messages are never refused
        let events = ReadyEvents(capacity: 4)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 0) == 1)
        #expect(events[0].token == EventPoller.wakeToken)
        #expect(inbox.drain() == [1, 2, 3, 5])
        #expect(inbox.drain().isEmpty)
        #expect(inbox.post(6, limit: 3))
    }

    /// The control thread takes a bounded number per wakeup; the rest stay queued and wake it again.
    @Test func boundedDrainLeavesTheRestAndWakesAgain() throws {
        let poller = try EventPoller()
        defer { poller.close() }
        let inbox = Inbox<Int>(poller: poller)
        for value in 1...5 { inbox.post(value) }
        let events = ReadyEvents(capacity: 4)
        #expect(try poller.wait(into: events, timeoutMilliseconds: 0) == 1)
        #expect(inbox.drain(limit: 2) == [1, 2])
        #expect(try poller.wait(into: events, timeoutMilliseconds: 0) == 1)
        #expect(events[0].token == EventPoller.wakeToken)
        #expect(inbox.drain(limit: 2) == [3, 4])
        #expect(try poller.wait(into: events, timeoutMilliseconds: 0) == 1)
        #expect(inbox.drain(limit: 2) == [5])
        // Nothing left: no further wake-up.
        #expect(try poller.wait(into: events, timeoutMilliseconds: 0) == 0)
        #expect(inbox.drain(limit: 2).isEmpty)
    }

    @Test func replyArrivesFromAnotherThreadOrTimesOut() {
        let reply = Reply<String>()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { reply.deliver("snapshot") }
        #expect(reply.wait(timeout: .seconds(5)) == "snapshot")
        #expect(Reply<Int>().wait(timeout: .milliseconds(30)) == nil)
    }

    /// A status request waits for three threads under one deadline, not one timeout each (a stopped node
    /// answers "no status" after the deadline, not three times it).
    @Test func repliesShareOneDeadline() {
        let start = DispatchTime.now()
        let deadline = start + .milliseconds(200)
        #expect([Reply<Int>(), Reply<Int>(), Reply<Int>()].allSatisfy { $0.wait(until: deadline) == nil })
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
        #expect(elapsed >= 190 && elapsed < 400, "waited \(elapsed) ms")
    }
}

// The per-peer queue of packets waiting for an SA: order, bounds, and that every drop is counted.
import HIPCore
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct PendingPacketsTests {
    private func packet(_ marker: UInt8, length: Int = 100) -> [UInt8] {
        [UInt8](repeating: marker, count: length)
    }

    private func takeAll(_ queue: PendingPackets) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: queue.slotSize)
        while let length = buffer.withUnsafeMutableBytes({ queue.removeFirst(into: $0) }) {
            out.append(Array(buffer[..<length]))
        }
        return out
    }

    @Test func keepsOrderAndContents() {
        let queue = PendingPackets(capacity: 4, slotSize: 256)
        for marker: UInt8 in 1...3 {
            #expect(packet(marker, length: Int(marker) * 10).withUnsafeBytes { queue.append($0) })
        }
        #expect(queue.count == 3)
        #expect(takeAll(queue) == [packet(1, length: 10), packet(2, length: 20), packet(3, length: 30)])
        #expect(queue.isEmpty)
        #expect(queue.drops == PendingPackets.Drops())
    }

    @Test func refusesAndCountsBeyondCapacityThenWrapsAround() {
        let queue = PendingPackets(capacity: 3, slotSize: 128)
        for marker: UInt8 in 1...5 { packet(marker).withUnsafeBytes { _ = queue.append($0) } }
        #expect(queue.count == 3)
        #expect(queue.drops.queueFull == 2)
        #expect(takeAll(queue) == [packet(1), packet(2), packet(3)])
        // The ring reuses its slots: after wrapping, order still holds.
        for marker: UInt8 in 6...8 { packet(marker).withUnsafeBytes { _ = queue.append($0) } }
        var buffer = [UInt8](repeating: 0, count: 128)
        _ = buffer.withUnsafeMutableBytes { queue.removeFirst(into: $0) }
        packet(9).withUnsafeBytes { _ = queue.append($0) }
        #expect(takeAll(queue) == [packet(7), packet(8), packet(9)])
        #expect(queue.drops.total == 2)
    }

    @Test func countsTooBigAndDiscarded() {
        let queue = PendingPackets(capacity: 8, slotSize: 64)
        #expect(!packet(1, length: 65).withUnsafeBytes { queue.append($0) })
        #expect(queue.drops.tooBig == 1)
        for marker: UInt8 in 1...5 { packet(marker, length: 64).withUnsafeBytes { _ = queue.append($0) } }
        queue.discardAll()
        #expect(queue.isEmpty)
        #expect(queue.drops.exchangeFailed == 5)
        #expect(queue.drops.total == 6)
        #expect(takeAll(queue).isEmpty)
    }

    @Test func remembersArrivalsAndSourcesAndExpiresOldestFirst() {
        let queue = PendingPackets(capacity: 4, slotSize: 64)
        let source = SocketAddress(InetAddress("198.18.0.2")!, port: 10500)
        #expect(queue.oldestArrival == nil && queue.oldestSource == nil)
        packet(1).prefix(10).withUnsafeBytes { _ = queue.append($0, arrival: Instant(nanoseconds: 5), source: source) }
        packet(2).prefix(10).withUnsafeBytes { _ = queue.append($0, arrival: Instant(nanoseconds: 9)) }
        #expect(queue.oldestArrival == Instant(nanoseconds: 5) && queue.oldestSource == source)
        queue.dropFirst()
        #expect(queue.oldestArrival == Instant(nanoseconds: 9) && queue.oldestSource == nil)
        #expect(queue.drops.exchangeFailed == 1)
        #expect(takeAll(queue) == [[UInt8](repeating: 2, count: 10)])
        queue.dropFirst()
        #expect(queue.drops.exchangeFailed == 1)
    }
}

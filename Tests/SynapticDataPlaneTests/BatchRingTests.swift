// Batch ring and packet slab: ordering, bounds, drop counting, and a multi-producer run.
import Dispatch
import Synchronization
@testable import SynapticDataPlane
import Testing

@Suite("Batch ring and packet slab")
struct BatchRingTests {
    @Test("FIFO order; a full ring refuses and counts; evicting pushes drop the oldest")
    func fifoAndDrops() {
        let ring = BatchRing<Int>(capacity: 4)
        #expect(ring.capacity == 4)
        #expect(ring.pop() == nil)
        for value in 1...4 { #expect(ring.push(value)) }
        #expect(!ring.push(5))
        #expect(ring.dropped == 1)
        var recycled: [Int] = []
        ring.pushEvictingOldest(6) { recycled.append($0) }
        #expect(recycled == [1])
        #expect(ring.dropped == 2)
        #expect([ring.pop(), ring.pop(), ring.pop(), ring.pop(), ring.pop()] == [2, 3, 4, 6, nil])
        for round in 0..<10 {   // wrap around many times
            #expect(ring.push(round))
            #expect(ring.pop() == round)
        }
    }

    @Test("three producers and one consumer hand over every element exactly once")
    func concurrent() {
        let ring = BatchRing<Int>(capacity: 64)
        let producers = 3, perProducer = 20_000
        let received = Mutex<[Int]>([])
        let group = DispatchGroup()
        for producer in 0..<producers {
            DispatchQueue.global().async(group: group) {
                for index in 0..<perProducer {
                    while !ring.push(producer * perProducer + index) {}
                }
            }
        }
        let consumer = DispatchQueue(label: "consumer")
        consumer.async(group: group) {
            var local: [Int] = []
            while local.count < producers * perProducer {
                if let value = ring.pop() { local.append(value) }
            }
            received.withLock { $0 = local }
        }
        group.wait()
        let values = received.withLock { $0 }
        #expect(values.count == producers * perProducer)
        #expect(Set(values).count == producers * perProducer)
        for producer in 0..<producers {   // each producer's elements stay in order
            let mine = values.filter { $0 / perProducer == producer }
            #expect(mine == mine.sorted())
        }
    }

    @Test("slab batches: fixed buffers with headroom, taken and recycled, none shared")
    func slab() throws {
        let slab = PacketSlab(batchCount: 3, batchCapacity: 4, bufferSize: 2048)
        let batches = (0..<3).compactMap { _ in slab.take() }
        #expect(batches.count == 3)
        #expect(slab.take() == nil)
        var starts = Set<UnsafeMutableRawPointer>()
        for batch in batches {
            #expect(batch.capacity == 4 && batch.bufferSize == 2048)
            for index in 0..<4 {
                let buffer = batch.buffer(at: index)
                #expect(buffer.count == 2048)
                starts.insert(try #require(buffer.baseAddress))
                #expect(batch.offset(of: index) == DataPlaneLimits.headroom && batch.length(of: index) == 0)
            }
        }
        #expect(starts.count == 12)
        let batch = batches[0]
        batch.count = 2
        batch.setPacket(1, offset: 10, length: 20)
        batch[metadata: 1] = PacketMetadata(drop: .replay)
        slab.recycle(batch)
        let again = try #require(slab.take())
        #expect(again === batch)
        #expect(again.count == 0 && again.offset(of: 1) == DataPlaneLimits.headroom && again.length(of: 1) == 0)
        #expect(again[metadata: 1] == PacketMetadata())
    }
}

// PacketBatch: one allocation of fixed, distinct, aligned buffers; windows at the headroom; reset.
@testable import SynapticDataPlane
import Testing

@Suite struct PacketBatchTests {
    @Test("fixed buffers with headroom, none shared; reset empties windows and metadata")
    func buffersAndReset() throws {
        let batch = PacketBatch(capacity: 4, bufferSize: 2000)
        var starts = Set<UnsafeMutableRawPointer>()
        for index in 0..<4 {
            let buffer = batch.buffer(at: index)
            #expect(buffer.count == 2000)
            let start = try #require(buffer.baseAddress)
            #expect(Int(bitPattern: start) % 64 == 0)
            starts.insert(start)
            #expect(batch.offset(of: index) == DataPlaneLimits.headroom && batch.length(of: index) == 0)
            let area = batch.readArea(at: index)
            #expect(area.baseAddress == start + DataPlaneLimits.headroom)
            #expect(area.count == 2000 - DataPlaneLimits.headroom - DataPlaneLimits.tailroom)
        }
        #expect(starts.count == 4)
        batch.count = 2
        batch.setPacket(1, offset: 10, length: 20)
        batch[metadata: 1] = PacketMetadata(drop: .replay)
        batch.setRead(2, length: 30)
        #expect(batch.offset(of: 2) == DataPlaneLimits.headroom && batch.packet(at: 2).count == 30)
        batch.reset()
        #expect(batch.count == 0 && batch.offset(of: 1) == DataPlaneLimits.headroom && batch.length(of: 1) == 0)
        #expect(batch[metadata: 1] == PacketMetadata())
    }
}

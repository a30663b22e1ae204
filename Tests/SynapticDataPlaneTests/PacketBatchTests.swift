// PacketBatch: one allocation of fixed, distinct, aligned buffers; windows at the headroom.
@testable import SynapticDataPlane
import Testing

@Suite struct PacketBatchTests {
    @Test("fixed buffers with headroom, none shared; a read clears the metadata")
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
        batch.setPacket(1, offset: 10, length: 20)
        #expect(batch.packet(at: 1).baseAddress == batch.buffer(at: 1).baseAddress! + 10 && batch.packet(at: 1).count == 20)
        batch[metadata: 1] = PacketMetadata(drop: .replay)
        batch.setRead(1, length: 30)
        #expect(batch.offset(of: 1) == DataPlaneLimits.headroom && batch.packet(at: 1).count == 30)
        #expect(batch[metadata: 1] == PacketMetadata())
    }
}

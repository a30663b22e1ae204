// PacketBatch+Stages: the per-packet bookkeeping both processors share between their batch stages.
//
//   prepare (sequential): each window → its SA and PacketStage, or drop metadata
//   crypto (parallel):    reads `association(at:as:)` and `stages`
//   finish (sequential):  `takeAssociation(at:as:)` clears the slot, so the batch holds no SA afterwards

extension PacketBatch {
    /// Runs a processor's sequential first stage over every packet: `prepare(buffer, offset, length)`
    /// either yields the packet's SA and stage (kept for the later stages) or throws; then the packet
    /// gets the error's drop reason as metadata (`prepare` counts its own drops).
    @inline(__always)
    func prepareEach<SA: AnyObject>(
        _ prepare: (UnsafeMutableRawBufferPointer, Int, Int) throws(DataPlaneError) -> (SA, PacketStage)
    ) {
        for index in 0..<count {
            associations[index] = nil
            do {
                let (association, stage) = try prepare(buffer(at: index), offset(of: index), length(of: index))
                associations[index] = association
                stages[index] = stage
            } catch {
                self[metadata: index] = PacketMetadata(drop: error.dropReason)
            }
        }
    }

    /// The SA the first stage kept for packet `index`; nil when the packet was dropped there.
    @inline(__always)
    func association<SA: AnyObject>(at index: Int, as type: SA.Type) -> SA? {
        guard let object = associations[index] else { return nil }
        return unsafeDowncast(object, to: SA.self)
    }

    /// Like `association(at:as:)`, and clears the slot (the last stage's step).
    @inline(__always)
    func takeAssociation<SA: AnyObject>(at index: Int, as type: SA.Type) -> SA? {
        let association = association(at: index, as: type)
        associations[index] = nil
        return association
    }
}

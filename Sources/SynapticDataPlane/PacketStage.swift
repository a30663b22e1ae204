/// Per-packet state a processor keeps between the stages of one batch (sequential prepare → parallel
/// crypto → sequential finish). Lives in the batch's preallocated arrays; internal to the data plane.
struct PacketStage {
    /// Where the ESP packet starts (outbound) or where the ESP payload starts (inbound).
    var start = 0
    var payloadLength = 0
    var nextHeader: UInt8 = 0
    var sequence: UInt64 = 0
    /// What the parallel stage produced: the sealed ESP length (outbound) or the opened payload's offset
    /// from `start`'s ESP packet (inbound).
    var resultLength = 0
    /// The stage's verdict so far; nil while the packet is still going.
    var error: DataPlaneError?
}

/// When an SA is due for rekeying (RFC 7402 §6), and how far an outbound SA may keep sending while the
/// rekey runs. The data paths compare each SA against it once per batch and tell the control plane the
/// first time an SA reaches it; the outbound processor refuses sequence numbers past `lastSequence`.
/// A plain value: use it anywhere.
public struct RekeyThresholds: Sendable, Hashable {
    /// Payload (inner upper-layer) bytes per SA and direction after which it is due; nil: never by bytes.
    public var afterBytes: UInt64?
    /// The sequence number (outbound: the next one to send; inbound: the highest one received) at which
    /// an SA is due.
    public var sequenceLimit: UInt64

    public init(afterBytes: UInt64? = nil, sequenceLimit: UInt64 = DataPlaneLimits.defaultRekeySequenceLimit) {
        self.afterBytes = afterBytes
        self.sequenceLimit = sequenceLimit
    }

    /// The last sequence number an outbound SA may use: `DataPlaneLimits.sequenceNumbersPastRekeyLimit`
    /// past the limit, or 2^64 − 1 when that is less (a sequence number is never reused).
    public var lastSequence: UInt64 {
        let (last, overflow) = sequenceLimit.addingReportingOverflow(DataPlaneLimits.sequenceNumbersPastRekeyLimit)
        return overflow ? .max : last
    }

    /// Whether an SA that carried `bytes` payload bytes and reached sequence number `sequence` is due.
    public func isReached(bytes: UInt64, sequence: UInt64) -> Bool {
        sequence >= sequenceLimit || afterBytes.map { bytes >= $0 } ?? false
    }
}

// AssociationState: the states of RFC 7401 §4.4.2 (Table 1).

/// The state of a HIP association with one peer (RFC 7401 §4.4.2). UNASSOCIATED is the absence of an
/// association in the host's table.
public enum AssociationState: Hashable, Sendable, CustomStringConvertible {
    case i1Sent
    case i2Sent
    case r2Sent
    case established
    case closing
    case closed
    case failed

    public var description: String {
        switch self {
        case .i1Sent: "I1-SENT"
        case .i2Sent: "I2-SENT"
        case .r2Sent: "R2-SENT"
        case .established: "ESTABLISHED"
        case .closing: "CLOSING"
        case .closed: "CLOSED"
        case .failed: "E-FAILED"
        }
    }
}

/// Which side of the base exchange this host took.
public enum Role: Hashable, Sendable {
    case initiator
    case responder
}

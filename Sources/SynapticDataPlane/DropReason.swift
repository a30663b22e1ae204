/// Why the data plane dropped a packet. Each reason has its own counter (see `SACounters` and
/// `DataPlaneCounters`). A plain value: use it anywhere.
public enum DropReason: Int, CaseIterable, Sendable, CustomStringConvertible {
    /// ESP packet whose SPI has no inbound SA.
    case unknownSPI
    /// ESP sequence number already seen, or older than the anti-replay window.
    case replay
    /// ESP ICV did not verify (tampered, wrong key, or truncated ICV).
    case authenticationFailed
    /// A packet that does not parse: bad IP header, bad lengths, bad ESP padding or trailer.
    case malformed
    /// A packet that does not fit the buffer with its ESP overhead, or exceeds 65535 bytes rebuilt.
    case tooBig
    /// IPv4 fragments, and IPv6 fragments that would have to become IPv4 (LSI translation).
    case fragment
    /// A packet the LSI translator cannot express in the other family (e.g. ICMP errors, options).
    case untranslatable
    /// A packet from the inside to a HIT or LSI with no outbound SA (the node starts a base exchange).
    case noSecurityAssociation
    /// The outbound sequence number space is exhausted: the SA must be rekeyed (RFC 4303 §3.3.3).
    case sequenceExhausted
    /// libcrypto failed on a correctly keyed context (not expected; counted rather than trapped).
    case cryptoFailure

    public var description: String {
        switch self {
        case .unknownSPI: "unknown SPI"
        case .replay: "replay"
        case .authenticationFailed: "authentication failed"
        case .malformed: "malformed"
        case .tooBig: "too big"
        case .fragment: "fragment"
        case .untranslatable: "untranslatable"
        case .noSecurityAssociation: "no SA"
        case .sequenceExhausted: "sequence exhausted"
        case .cryptoFailure: "crypto failure"
        }
    }
}

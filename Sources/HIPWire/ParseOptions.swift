// ParseOptions: how strictly HIPPacket.parse reads a packet.

/// Parsing strictness. `.strict` (the default) follows RFC 7401 to the letter; `.lenient` exists only to
/// read packets from the old cutehip capture (Tests/Vectors/cutehip-repo-hip.pcap) and must not be used for
/// packets from the network unless a peer is known to be that implementation.
public struct ParseOptions: Hashable, Sendable {
    /// Accept parameters that are not in ascending type order (strict: `parametersOutOfOrder`).
    public var acceptsUnsortedParameters: Bool
    /// Accept a DIFFIE_HELLMAN whose Public Value Length disagrees with the TLV Length (old cutehip wrote 8
    /// for a 64-byte value); the public value is then the rest of the contents.
    public var acceptsCutehipDHLength: Bool

    public init(acceptsUnsortedParameters: Bool = false, acceptsCutehipDHLength: Bool = false) {
        self.acceptsUnsortedParameters = acceptsUnsortedParameters
        self.acceptsCutehipDHLength = acceptsCutehipDHLength
    }

    /// RFC 7401 strict parsing.
    public static let strict = ParseOptions()
    /// Both cutehip allowances above; everything else stays strict.
    public static let lenient = ParseOptions(acceptsUnsortedParameters: true, acceptsCutehipDHLength: true)
}

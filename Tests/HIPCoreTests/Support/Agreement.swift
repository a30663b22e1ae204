// Agreement: both ends of an association hold mirror-image SA pairs (RFC 7402 §7 key draw, SPIs).
import HIPCrypto
import Testing
@testable import HIPCore

enum Agreement {
    /// Asserts that peers `a` and `b` each have exactly one SA pair and that they mirror each other:
    /// a's inbound SPI/keys are b's outbound and vice versa, same suite, SPIs ≥ 256 and distinct per
    /// direction. Returns the two pairs.
    @discardableResult
    static func expectMirrored(_ network: TestNetwork, _ a: Int, _ b: Int,
                               sourceLocation: SourceLocation = #_sourceLocation) throws
        -> (SecurityAssociationPair, SecurityAssociationPair) {
        let pa = network.peers[a], pb = network.peers[b]
        try #require(pa.sas.count == 1, "peer \(a) has \(pa.sas.count) SA pairs", sourceLocation: sourceLocation)
        try #require(pb.sas.count == 1, "peer \(b) has \(pb.sas.count) SA pairs", sourceLocation: sourceLocation)
        let sa = try #require(pa.sas.values.first), sb = try #require(pb.sas.values.first)
        #expect(sa.inboundSPI == sb.outboundSPI, sourceLocation: sourceLocation)
        #expect(sa.outboundSPI == sb.inboundSPI, sourceLocation: sourceLocation)
        #expect(sa.inboundSPI != sa.outboundSPI, sourceLocation: sourceLocation)
        #expect(sa.inboundSPI >= 256 && sa.outboundSPI >= 256, sourceLocation: sourceLocation)
        #expect(sa.suite == sb.suite, sourceLocation: sourceLocation)
        #expect(sa.localHIT == sb.peerHIT && sa.peerHIT == sb.localHIT, sourceLocation: sourceLocation)
        #expect(sa.inboundKeys.encryption.bytes == sb.outboundKeys.encryption.bytes, sourceLocation: sourceLocation)
        #expect(sa.inboundKeys.authentication.bytes == sb.outboundKeys.authentication.bytes, sourceLocation: sourceLocation)
        #expect(sa.outboundKeys.encryption.bytes == sb.inboundKeys.encryption.bytes, sourceLocation: sourceLocation)
        #expect(sa.outboundKeys.authentication.bytes == sb.inboundKeys.authentication.bytes, sourceLocation: sourceLocation)
        // The two directions use different keys, of the suite's lengths.
        #expect(sa.inboundKeys.encryption.bytes != sa.outboundKeys.encryption.bytes
                || sa.suite.encryptionKeyLength == 0, sourceLocation: sourceLocation)
        #expect(sa.inboundKeys.authentication.bytes != sa.outboundKeys.authentication.bytes
                || sa.suite.authenticationKeyLength == 0, sourceLocation: sourceLocation)
        #expect(sa.outboundKeys.authentication.count == sa.suite.authenticationKeyLength, sourceLocation: sourceLocation)
        return (sa, sb)
    }
}

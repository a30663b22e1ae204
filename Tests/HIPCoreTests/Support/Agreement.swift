// Agreement: both ends of an association hold mirror-image SA pairs (RFC 7402 §7 key draw, SPIs).
import HIPCrypto
import Testing
@testable import HIPCore

enum Agreement {
    /// Asserts that peers `a` and `b` each have exactly one SA pair and that they mirror each other:
    /// a's inbound SPI/keys are b's outbound and vice versa, same suite, SPIs ≥ 256 and distinct per
    /// direction; both carry the same KEYMAT inputs (the hosts must export them), from which the keys are
    /// drawn again. Returns the two pairs.
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
        // Both drew KEYMAT from the same Kij, #I and #J, and drawing it again gives the installed keys.
        let inputs = try #require(sa.keymatInputs, "exportsKeymatInputs is off", sourceLocation: sourceLocation)
        let mirror = try #require(sb.keymatInputs, "exportsKeymatInputs is off", sourceLocation: sourceLocation)
        #expect(inputs.kij.count > 0 && inputs.kij.bytes == mirror.kij.bytes, sourceLocation: sourceLocation)
        #expect(inputs.puzzleI.count == inputs.hash.digestLength && inputs.puzzleI == mirror.puzzleI,
                sourceLocation: sourceLocation)
        #expect(inputs.puzzleJ.count == inputs.hash.digestLength && inputs.puzzleJ == mirror.puzzleJ,
                sourceLocation: sourceLocation)
        #expect(inputs.dhGroup == mirror.dhGroup && inputs.hash == mirror.hash && inputs.hipCipher == mirror.hipCipher,
                sourceLocation: sourceLocation)
        var keymat = Keymat(hash: inputs.hash, kij: inputs.kij, puzzleI: inputs.puzzleI, puzzleJ: inputs.puzzleJ,
                            hitA: sa.localHIT, hitB: sa.peerHIT)
        let keys = try HIPKeys(keymat: &keymat, cipher: inputs.hipCipher, hash: inputs.hash, esp: sa.suite)
        let (sent, received) = sa.localHIT > sa.peerHIT ? (keys.espGL, keys.espLG) : (keys.espLG, keys.espGL)
        #expect(sent.encryption.bytes == sa.outboundKeys.encryption.bytes
                && sent.authentication.bytes == sa.outboundKeys.authentication.bytes, sourceLocation: sourceLocation)
        #expect(received.encryption.bytes == sa.inboundKeys.encryption.bytes
                && received.authentication.bytes == sa.inboundKeys.authentication.bytes, sourceLocation: sourceLocation)
        return (sa, sb)
    }
}

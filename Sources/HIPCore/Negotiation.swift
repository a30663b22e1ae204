// Negotiation: the choices of the base exchange (RFC 7401 §5.2.6, §5.2.8, §5.2.10, §5.2.11; RFC 7402 §5.1.2).
import HIPCrypto

enum Negotiation {
    /// RFC 7401 §5.2.6: the first group of the Responder's list that the Initiator's list also contains.
    /// Used by the Responder on I1 and, as the downgrade check, by the Initiator on R1.
    static func dhGroup(responderList: [UInt8], initiatorList: [UInt8]) -> UInt8? {
        responderList.first { initiatorList.contains($0) }
    }

    /// The Responder's first offered cipher that our settings accept (only the first six count, RFC 7401
    /// §5.2.8).
    static func hipCipher(offered: [UInt16], settings: HostSettings) -> HIPCipherID? {
        for id in offered.prefix(CoreProtocol.maximumOfferedTransforms) {
            if let cipher = HIPCipherID(rawValue: id), settings.hipCiphers.contains(cipher) { return cipher }
        }
        return nil
    }

    /// The Responder's first offered ESP suite that our settings accept (auth-only only when allowed: the
    /// settings cannot list it otherwise); only the first six count (RFC 7402 §5.1.2).
    static func espSuite(offered: [UInt16], settings: HostSettings) -> ESPSuiteID? {
        for id in offered.prefix(CoreProtocol.maximumOfferedTransforms) {
            if let suite = ESPSuiteID(rawValue: id), settings.espSuites.contains(suite) { return suite }
        }
        return nil
    }

    /// The single choice an I2 makes from what we offered, or nil if it is not exactly one offered value.
    static func single<T: Equatable>(_ values: [T], offeredIn offered: [T]) -> T? {
        guard values.count == 1, let value = values.first, offered.contains(value) else { return nil }
        return value
    }
}

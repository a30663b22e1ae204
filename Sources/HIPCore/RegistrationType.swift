// RegistrationType: the registration types, failure types and lifetime encoding of the HIP Registration
// Extension (RFC 8003 §4–5), with the types of RFC 8004 (rendezvous) and RFC 9028 §5.9 (relays).
//
//   Lifetime (8 bits) → seconds = 2^((value − 64) / 8):  64 → 1 s, 96 → 16 s, 128 → 256 s, 159 → 3756 s.

/// Registration type numbers (IANA "Registration Types").
public enum RegistrationType {
    /// RENDEZVOUS (RFC 8004): I1s for our HIT are forwarded to us.
    public static let rendezvous: UInt8 = 1
    /// RELAY_UDP_HIP (RFC 9028 §5.9): a Control Relay forwards all HIP packets for our HIT.
    public static let relayUDPHIP: UInt8 = 2
    /// RELAY_UDP_ESP (RFC 9028 §5.9): a Data Relay forwards ESP we permit (PEER_PERMISSION).
    public static let relayUDPESP: UInt8 = 3

    /// A short name for logs and status.
    public static func name(_ type: UInt8) -> String {
        switch type {
        case rendezvous: "rendezvous"
        case relayUDPHIP: "relay-hip"
        case relayUDPESP: "relay-esp"
        default: "type-\(type)"
        }
    }
}

/// REG_FAILED failure types (RFC 8003 §4.4).
public enum RegistrationFailure {
    /// The registrar does not admit this host (it would need credentials we do not accept).
    public static let requiresCredentials: UInt8 = 0
    /// The registrar does not offer the type.
    public static let typeUnavailable: UInt8 = 1
    /// The registrar is out of resources.
    public static let insufficientResources: UInt8 = 2
    /// Rendezvous and the Control Relay may not be held at once (RFC 9028 §5.9).
    public static let rendezvousWithRelay: UInt8 = 9
}

/// RFC 8003 §5 lifetime values.
enum RegistrationLifetime {
    /// 2^(k/8) seconds in microseconds, k = 0…7.
    private static let eighths: [Int64] = [1_000_000, 1_090_508, 1_189_207, 1_296_840, 1_414_214, 1_542_211, 1_681_793,
                                           1_834_008]

    /// The duration an encoded lifetime stands for (to the microsecond).
    static func duration(_ value: UInt8) -> Duration {
        let exponent = Int(value) - 64
        let whole = exponent >> 3, fraction = eighths[exponent & 7]
        return .microseconds(whole >= 0 ? fraction << whole : fraction >> -whole)
    }
}

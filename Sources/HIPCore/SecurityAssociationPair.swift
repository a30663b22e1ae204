// SecurityAssociationPair: what the data plane needs to run ESP with a peer (RFC 7402 §4, §7).
import HIPCrypto
import HIPWire

/// The two ESP SAs of an association, to be installed by the data plane. `inboundSPI` is ours (≥ 256,
/// chosen by our SPIAllocator), `outboundSPI` the peer's; they differ. Keys follow the RFC 7402 §7 draw:
/// `outboundKeys` is SA-gl when our HIT is the greater one, else SA-lg. Contains secrets (the ESP keys, and
/// Kij when exported): do not log it; only the keylog writes them out.
/// Sendable (the key material is immutable `SecretBytes`, zeroed when freed).
public struct SecurityAssociationPair: Sendable {
    public var localHIT: HIT
    public var peerHIT: HIT
    public var inboundSPI: UInt32
    public var outboundSPI: UInt32
    public var suite: ESPSuiteID
    public var inboundKeys: ESPKeys
    public var outboundKeys: ESPKeys
    /// Where ESP for this peer goes: the address the base exchange ran with; over UDP, its port (ESP then
    /// shares the HIP UDP port pair, RFC 9028 §5.11); over raw HIP the data plane uses its default port.
    public var peerEndpoint: Endpoint
    /// The local address the exchange used, when known.
    public var localAddress: IPAddress?
    /// What the keys were drawn from (Kij, #I, #J, algorithms), for the keylog; nil unless
    /// `HostSettings.exportsKeymatInputs`.
    public var keymatInputs: KeymatInputs?
}

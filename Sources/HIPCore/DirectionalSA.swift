// DirectionalSA: one direction of an ESP SA, as a rekey installs it (RFC 7402 §6.9–6.10).
import HIPCrypto
import HIPWire

/// One ESP SA (inbound: `spi` is ours; outbound: the peer's) with its keys, drawn from the association's
/// KEYMAT by an UPDATE rekey. Contains secrets: do not log it. A value type (keys are immutable
/// `SecretBytes`, zeroed when freed).
public struct DirectionalSA: Sendable {
    public var localHIT: HIT
    public var peerHIT: HIT
    public var spi: UInt32
    public var suite: ESPSuiteID
    public var keys: ESPKeys
    /// Where the peer is now (for an outbound SA: where its ESP goes).
    public var peerEndpoint: Endpoint
    /// The local address to send from, when known.
    public var localAddress: IPAddress?
}

// Rekey: one UPDATE rekey in progress (RFC 7402 §6.8–6.10), ours or the peer's, until both new SAs carry
// traffic.
//
//   ours:   new inbound SPI (+ new DH) → UPDATE(SEQ, ESP_INFO, [DH]) → the peer's UPDATE(ESP_INFO, [DH], ACK)
//           → keys → new inbound SA installed, outbound switched → ACK
//   peer's: UPDATE(SEQ, ESP_INFO, [DH]) → new inbound SPI (+ new DH if it sent one) → keys → new inbound SA
//           installed → UPDATE(SEQ, ESP_INFO, [DH], ACK) → its ACK, or traffic on the new inbound SA →
//           outbound switched
//   crossing rekeys: each side's ESP_INFO names its own new inbound SPI and both sent DH (or neither: the
//           greater KEYMAT Index wins), so both derive the same keys; each switches its outbound once it has
//           the keys and its own UPDATE is acknowledged (in either order), or the new inbound SA carries
//           traffic. If they disagree on DH, the smaller HIT drops its rekey and answers the peer's.
// The old inbound SA drains: removed soon after traffic arrives on the new one, or `saDrainTime` after the
// switch.
import HIPCrypto
import HIPWire

/// A value inside the association's session; no I/O.
struct Rekey: Sendable {
    /// Our new inbound SPI (ESP_INFO NEW SPI).
    let inboundSPI: UInt32
    /// Our new Diffie-Hellman key pair, when our UPDATE carries DIFFIE_HELLMAN.
    let dh: DHKeyPair?
    /// Our ESP_INFO KEYMAT Index (0 with a new Diffie-Hellman).
    let keymatIndex: UInt16
    /// The peer's ESP_INFO NEW SPI, once its UPDATE arrived.
    var peerSPI: UInt32?
    /// Whether our new inbound SA is installed (keys derived).
    var inboundInstalled = false
    /// Whether the peer acknowledged the UPDATE carrying our ESP_INFO before its own ESP_INFO arrived
    /// (crossing rekeys): we switch as soon as we have the keys.
    var ourESPInfoAcknowledged = false
    /// The new outbound SA, waiting until the peer surely has its new inbound SA.
    var pendingOutbound: DirectionalSA?

    /// Our ESP_INFO for `currentInbound` (the SPI it replaces).
    func espInfo(replacing currentInbound: UInt32) -> ESPInfo {
        ESPInfo(keymatIndex: keymatIndex, oldSPI: currentInbound, newSPI: inboundSPI)
    }
}

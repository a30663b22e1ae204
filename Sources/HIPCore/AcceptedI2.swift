// AcceptedI2: an I2 that passed every check of RFC 7401 §6.9 (HIPHost+I2), ready to become an association.
import HIPCrypto
import HIPWire

struct AcceptedI2: Sendable {
    let received: ReceivedPacket
    let peerIdentity: PublicHostIdentity
    let keys: SessionKeys
    let group: DHGroup
    /// The Initiator's inbound SPI (our outbound).
    let peerSPI: UInt32
    let solved: R1Pool.Solved
}

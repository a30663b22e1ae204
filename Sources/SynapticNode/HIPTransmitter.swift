// HIPTransmitter: how the control plane puts a HIP packet on the wire (the seam the executor tests fake).
import HIPCore

/// Sends HIP control packets. Called from the control thread only.
protocol HIPTransmitter: AnyObject {
    /// Sends `packet` to its destination over its transport; false when it could not be sent (no socket of
    /// that kind, no source address for a raw IPv4 checksum, or the kernel refused it).
    func send(_ packet: OutboundPacket) -> Bool
}

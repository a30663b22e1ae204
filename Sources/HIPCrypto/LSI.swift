// LSI: Local Scope Identifiers, IPv4 aliases for HITs in 1.0.0.0/8 (digest §8; never sent on the wire).
//
//   LSI = 1.x.y.z with x.y.z = the low 24 bits of the HIT (OpenHIP's HIT2LSI), except that
//   z = 0 becomes 1 and z = 255 becomes 254, so no LSI is a network- or broadcast-like .0/.255 address
//   (this also excludes 1.0.0.0 and 1.255.255.255, the /8's own network and broadcast addresses).
import HIPWire

/// The deterministic HIT → LSI mapping. Different HITs can map to the same LSI; `LSIAllocator` resolves
/// such collisions within one host. Pure; use anywhere.
public enum LSI {
    /// The preferred LSI of `hit`, as a host-order IPv4 value (0x01xxyyzz; text: `IPAddress.v4(lsi)`).
    public static func forHIT(_ hit: HIT) -> UInt32 {
        let bytes = hit.bytes
        return normalized(ProtocolConstants.lsiPrefix
            | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15]))
    }

    /// Whether `address` is an LSI this module can produce (in 1.0.0.0/8, last octet 1…254).
    public static func isValid(_ address: UInt32) -> Bool {
        address & 0xFF00_0000 == ProtocolConstants.lsiPrefix && address & 0xFF != 0 && address & 0xFF != 0xFF
    }

    /// Replaces a last octet of 0 by 1 and of 255 by 254.
    static func normalized(_ address: UInt32) -> UInt32 {
        switch address & 0xFF {
        case 0: address | 1
        case 0xFF: address & ~1
        default: address
        }
    }
}

// Incremental Internet checksum update, RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Used when only the
// pseudo-header under a TCP/UDP checksum changes (LSI ⇄ HIT). Full sums use HIPWire's InternetChecksum.

/// Pure function; call from anywhere.
enum ChecksumUpdate {
    /// The checksum after the covered data's folded sum changed from `old` to `new`.
    @inline(__always)
    static func adjust(_ checksum: UInt16, removing old: UInt16, adding new: UInt16) -> UInt16 {
        var sum = UInt32(~checksum) + UInt32(~old) + UInt32(new)
        sum = (sum & 0xFFFF) + (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16)
        return ~UInt16(truncatingIfNeeded: sum)
    }
}

// KnownLocators: the addresses a peer HIT is known to use: its configured locators (Event.configuredLocators)
// and the addresses of its past associations (learned when an association is ESTABLISHED, kept after it
// ends). An I1 that claims a HIT from one of that HIT's known addresses is answered from its own R1 budget
// (HIPHost.receiveI1), so a flood of I1s claiming the HIT from spoofed addresses cannot lock the real peer out.
//
// Bounds: learned addresses per peer (`CoreLimits.learnedLocatorsPerPeer`, the oldest replaced) and peers
// with learned addresses (`CoreLimits.learnedLocatorPeers`, the peer learned longest ago forgotten first).
// Only associations that completed a base exchange (policy allowed, signatures verified) teach addresses.
// Addresses are kept in one form (IPv4 as `.v4`, also when it came IPv4-mapped).
import HIPWire

struct KnownLocators: Sendable {
    private var configured: [HIT: Set<IPAddress>] = [:]
    private var learned: [HIT: [IPAddress]] = [:]
    /// Peers with learned addresses, the one learned longest ago first.
    private var learnedOrder: [HIT] = []

    /// Whether `address` is a known address of `peer`.
    func contains(_ address: IPAddress, for peer: HIT) -> Bool {
        let address = Self.canonical(address)
        return configured[peer]?.contains(address) == true || learned[peer]?.contains(address) == true
    }

    /// Replaces the configured locators (at start and after a reload); learned addresses stay.
    mutating func configure(_ locators: [HIT: [IPAddress]]) {
        configured = locators.mapValues { Set($0.map(Self.canonical)) }.filter { !$0.value.isEmpty }
    }

    /// Remembers `address` for `peer` (an established association's).
    mutating func learn(_ address: IPAddress, for peer: HIT) {
        let address = Self.canonical(address)
        if var known = learned[peer] {
            guard !known.contains(address) else { return }
            if known.count >= CoreLimits.learnedLocatorsPerPeer { known.removeFirst() }
            known.append(address)
            learned[peer] = known
            return
        }
        if learnedOrder.count >= CoreLimits.learnedLocatorPeers {
            learned[learnedOrder.removeFirst()] = nil
        }
        learned[peer] = [address]
        learnedOrder.append(peer)
    }

    private static func canonical(_ address: IPAddress) -> IPAddress {
        IPAddress(mappedBytes: address.v4Mapped) ?? address
    }
}

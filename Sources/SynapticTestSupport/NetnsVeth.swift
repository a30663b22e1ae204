// NetnsVeth: a veth pair between two test namespaces, with addresses from the lab's ranges only.
//
// `ip link add <a> netns <A> type veth peer name <b> netns <B>` creates both ends directly inside the
// namespaces (never in the host's), then each end gets its addresses (IPv6 with nodad, usable at once)
// and is set up. Deleting either namespace deletes the pair.
// Addresses must lie in 198.18.0.0/15 (IPv4 benchmarking range) or fd00::/8 (IPv6 unique local), as the
// lab rules require: anything else is refused before it is configured.

import Foundation

/// The two ends of a veth pair: interface names inside their namespaces.
public struct VethPair: Sendable {
    public let nameA: String
    public let nameB: String

    /// Connects `a` and `b` with a new veth pair, assigns `addressesA` to the end in `a` and
    /// `addressesB` to the end in `b` (CIDR text such as "198.18.0.1/24", "fd00::1/64"), sets both up.
    public static func connect(_ a: NetworkNamespace, _ b: NetworkNamespace, addressesA: [String],
                               addressesB: [String]) throws -> VethPair {
        for address in addressesA + addressesB where !isLabAddress(address) {
            throw NetnsError("\(address) is outside 198.18.0.0/15 and fd00::/8")
        }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let pair = VethPair(nameA: "va\(suffix)", nameB: "vb\(suffix)")
        try NetnsCommand.check(["ip", "link", "add", pair.nameA, "netns", a.name, "type", "veth",
                                "peer", "name", pair.nameB, "netns", b.name])
        for (namespace, name, addresses) in [(a, pair.nameA, addressesA), (b, pair.nameB, addressesB)] {
            for address in addresses {
                try namespace.ip(["addr", "add", address, "dev", name] + (address.contains(":") ? ["nodad"] : []))
            }
            try namespace.ip(["link", "set", name, "up"])
        }
        return pair
    }

    /// Whether CIDR text lies inside 198.18.0.0/15 or fd00::/8.
    static func isLabAddress(_ cidr: String) -> Bool {
        let address = cidr.split(separator: "/").first.map(String.init) ?? ""
        if address.contains(":") {
            var bytes = [UInt8](repeating: 0, count: 16)
            return inet_pton(AF_INET6, address, &bytes) == 1 && bytes[0] == 0xFD
        }
        var bytes = [UInt8](repeating: 0, count: 4)
        return inet_pton(AF_INET, address, &bytes) == 1 && bytes[0] == 198 && (bytes[1] & 0xFE) == 18
    }
}

// HIPHost+Candidates: our candidates for a direct path (RFC 9028 §4.2), handed to each association that came
// up through a relay: host candidates (our addresses with our UDP port) and server-reflexive ones (the
// addresses our servers saw us at, REG_FROM). Priorities as in ICE (RFC 8445 §5.1.2.1): type preference
// 126 for host and 100 for server-reflexive, local preference 65535, component 1.
import HIPWire

extension HIPHost {
    /// After an association came up through a relay: our candidates go to the peer (Association+Candidates).
    mutating func announceCandidates(after actions: [Action], now: Instant) -> [Action] {
        var more: [Action] = []
        for case .report(.established(let peer, _, _)) in actions where relay(for: peer) != nil {
            more += route(.candidates(candidates), to: peer, now: now)
        }
        return more
    }

    /// Our host and server-reflexive candidates, best first, without duplicates.
    var candidates: [Locator] {
        var seen: Set<Endpoint> = []
        var locators: [Locator] = []
        func add(_ endpoint: Endpoint, kind: UInt8, typePreference: UInt32) {
            guard case .udp(let port) = endpoint.transport, seen.insert(endpoint).inserted else { return }
            let priority = typePreference << 24 | 65535 << 8 | 255
            locators.append(Locator(trafficType: 0, preferred: locators.isEmpty, lifetime: local.settings.locatorLifetime,
                                    address: .transport(port: port, proto: HIPProtocol.udpProtocol, kind: kind,
                                                        priority: priority, spi: 0, address: endpoint.address.v4Mapped)))
        }
        for address in localAddresses {
            add(Endpoint(address: address, transport: .udp(port: local.settings.udpPort)), kind: 0, typePreference: 126)
        }
        for server in local.settings.registrations.keys.sorted(by: <) {
            if let reflexive = associations[server]?.session?.registration?.reflexive {
                add(reflexive, kind: 1, typePreference: 100)
            }
        }
        return locators
    }
}

// HostSeeds: HIPHostFuzzer's seed corpus, written by `HIPHostFuzzer --write-seeds DIR` into
// Fuzz/corpus/HIPHostFuzzer: whole conversations between A and the in-memory peers B and C (SeedNetwork),
// so that mutations start deep in the protocol:
//   B starts (raw IPv6, UDP IPv4): I1, I2, ESP seen, B's rekey (UPDATE with DIFFIE_HELLMAN), B moves
//     (UPDATE with LOCATOR_SET, A's address check), B closes (CLOSE);
//   A starts (to B over UDP IPv4, to C over raw IPv6): R1, R2, the peer's rekey, A's rekey, A closes
//     (CLOSE_ACK);
//   C registers with A for both relay types, then B reaches C through A (forwarded I1, R1, I2, R2);
//   timers after an exchange: NAT keepalive, puzzle rotations, rekey by age.
// Each conversation is replayed on a fresh A before it is written and must end with the same counters.
import FuzzSupport
import HIPCore

enum HostSeeds {
    static func write(to directory: SeedDirectory) throws {
        let scenarios: [(String, (inout SeedNetwork) -> Void)] = [
            ("b-starts-raw-ipv6", { peerStarts(&$0, SeedNetwork.b, source: 0, udp: false) }),
            ("b-starts-udp-ipv4", { peerStarts(&$0, SeedNetwork.b, source: 1, udp: true) }),
            ("a-starts-udp-ipv4-to-b", { fuzzedStarts(&$0, SeedNetwork.b, source: 1, udp: true) }),
            ("a-starts-raw-ipv6-to-c", { fuzzedStarts(&$0, SeedNetwork.c, source: 2, udp: false) }),
            ("c-registers-b-relayed", relayed),
            ("timers-after-exchange", timers),
        ]
        for (name, scenario) in scenarios {
            var network = SeedNetwork()
            scenario(&network)
            var replay = FuzzedHost.fresh()
            for record in network.records { replay.apply(record) }
            let counters = network.fuzzed.host.counters
            guard replay.host.counters == counters else { fatalError("seed \(name) does not replay to the same counters") }
            print("\(name): \(network.records.count) records; A established \(counters.associationsEstablished), "
                  + "rekeyed \(counters.rekeys), moved \(counters.moves), closed \(counters.associationsClosed), "
                  + "relayed \(counters.relayedHIP), rejected \(counters.totalRejected)")
            try directory.write(name, Record.encode(network.records))
        }
    }

    /// Peer `index` (at Fixture.sources[source]) starts an exchange with A, rekeys, moves and closes.
    private static func peerStarts(_ network: inout SeedNetwork, _ index: Int, source: Int, udp: Bool) {
        let fuzzedHIT = Fixture.prototype.localHIT
        let address = Fixture.sources[source].address
        network.peer(index, .outboundData(peer: fuzzedHIT, endpoints: [SeedNetwork.fuzzedEndpoint(facing: address, udp: udp)]))
        network.run()
        network.fuzzedSawESP(from: index, source: source, udp: udp)
        network.peer(index, .rekey(peer: fuzzedHIT))
        network.run()
        network.move(index, to: [Fixture.sources[0].address, Fixture.sources[4].address])
        network.run()
        network.peer(index, .close(peer: fuzzedHIT))
        network.run()
    }

    /// A starts an exchange with peer `index` (at Fixture.sources[source]); the peer rekeys, then A rekeys
    /// and closes.
    private static func fuzzedStarts(_ network: inout SeedNetwork, _ index: Int, source: Int, udp: Bool) {
        network.fuzzedEvent(.outboundData, peer: index, udp: udp, source: source)
        network.run()
        network.peerSawESP(index, from: Fixture.sources[source].address, udp: udp)
        network.peer(index, .rekey(peer: Fixture.prototype.localHIT))
        network.run()
        network.fuzzedEvent(.rekey, peer: index, udp: udp, source: source)
        network.run()
        network.fuzzedEvent(.close, peer: index, udp: udp, source: source)
        network.run()
    }

    /// C registers with A (Control and Data Relay), then B starts an exchange with C through A.
    private static func relayed(_ network: inout SeedNetwork) {
        let server = SeedNetwork.fuzzedEndpoint(facing: Fixture.sources[3].address, udp: true)
        network.peer(SeedNetwork.c, .outboundData(peer: Fixture.prototype.localHIT, endpoints: [server]))
        network.run()
        network.fuzzedSawESP(from: SeedNetwork.c, source: 3, udp: true)
        network.peer(SeedNetwork.b, .outboundData(peer: Fixture.peerHITs[SeedNetwork.c], endpoints: [server]))
        network.run()
    }

    /// B starts an exchange over UDP; then A's timers run for an hour and a half, 30 s and 200 s at a time.
    private static func timers(_ network: inout SeedNetwork) {
        let server = SeedNetwork.fuzzedEndpoint(facing: Fixture.sources[1].address, udp: true)
        network.peer(SeedNetwork.b, .outboundData(peer: Fixture.prototype.localHIT, endpoints: [server]))
        network.run()
        network.fuzzedSawESP(from: SeedNetwork.b, source: 1, udp: true)
        network.fuzzedEvent(.timer, step: 5)
        network.run()
        for _ in 0..<27 {
            network.fuzzedEvent(.timer, step: 6)
            network.run()
        }
    }
}

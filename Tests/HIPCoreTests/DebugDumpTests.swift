import HIPWire
import Testing
@testable import HIPCore

@Test func debugDump() throws {
    let (small, great) = try TestIdentities.pair(.ecdsaP256)
    var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)])
    network.connect(0, to: 1)
    network.run(for: .seconds(1))
    for d in network.sent {
        let p = try HIPPacket.parse(d.bytes)
        print(d.type, d.bytes.count, p.parameters.map { "\($0.type)" }.joined(separator: ","))
    }
    print(network.peers[0].reports, network.peers[1].reports)
}

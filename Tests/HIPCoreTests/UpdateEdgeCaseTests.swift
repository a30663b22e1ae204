// Edge cases of UPDATE found in review, each once a crash, a spin or an association left without working
// SAs: a LOCATOR_SET filling the locator set, our rekey age passing during the peer's rekey, the rekey's
// ESP_INFO repeated after the switch, crossing rekeys with the ACK first or different DH choices.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct UpdateEdgeCaseTests {
    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    /// A peer announcing 8 locators (none of them current): the preferred one keeps its place in the
    /// bounded set, is verified and used (it used to be evicted by the 8th and trap on the echo).
    @Test func eightAnnouncedLocatorsFillTheSetSafely() throws {
        var network = try MobilityTests.established()
        let addresses = (101...108).map { Self.ip("192.0.2.\($0)") }
        MobilityTests.move(&network, 0, to: addresses)
        network.run(for: .seconds(5))
        #expect(network.espDestination(1, to: 0) == addresses[0])
    }

    /// Our rekey age passes while the peer's rekey is in progress: no wake in the past (it used to spin).
    @Test func ourRekeyAgeDuringThePeersRekeyDoesNotSpin() throws {
        var settings = TestHosts.fastSettings()
        settings.rekeyInterval = .seconds(60)
        var network = try MobilityTests.established(settings: settings)
        network.run(for: .seconds(58))
        network.handle(.rekey(peer: network.peers[0].host.localHIT), at: 1)
        network.intercept = { $0.from == 0 ? [] : [$0] }   // host 0's answers are lost
        network.deliverAll()
        #expect(network.association(0, with: 1)?.isRekeying == true)
        network.now = network.now + .milliseconds(1500)
        var pastWakes = 0
        for _ in 0..<5 {
            let actions = network.peers[0].host.handle(.timer, now: network.now)
            for case .wake(let at) in actions where at <= network.now { pastWakes += 1 }
        }
        #expect(pastWakes == 0, "timer asked for a wake in the past \(pastWakes) times")
    }

    /// Rekey by 0; 1's answer switches 0; 0's final ACK is lost; 1 then announces an added address: its new
    /// UPDATE still carries the rekey's ESP_INFO (OLD = 1's previous inbound SPI), which 0 takes as repeated.
    @Test func theRekeysESPInfoRepeatedAfterTheSwitchIsAccepted() throws {
        var network = try MobilityTests.established()
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.deliver(network.queue.removeFirst())   // X at 1
        network.deliver(network.queue.removeFirst())   // Y at 0: 0 switches
        network.queue.removeAll()                      // 0's ACK(Y) lost
        network.peers[1].addresses.append(Self.ip("192.0.2.150"))
        network.handle(.localAddressesChanged(network.peers[1].addresses), at: 1)
        network.run(for: .seconds(60))
        #expect(network.peers[0].rejectionReasons.isEmpty, "\(network.peers[0].rejectionReasons)")
        let o01 = network.opens(0, to: 1), o10 = network.opens(1, to: 0)
        #expect(o01); #expect(o10)
        #expect(network.association(1, with: 0)?.isRekeying == false)
    }

    /// Crossing rekeys where 1 gets the ACK of its UPDATE before 0's ESP_INFO: 1 switches once the keys are
    /// there, so its one-way traffic keeps opening after 0's old inbound SA drained.
    @Test func crossingRekeysWithTheACKFirstBothSwitch() throws {
        var network = try MobilityTests.established()
        network.handle(.rekey(peer: network.peers[1].host.localHIT), at: 0)
        network.handle(.rekey(peer: network.peers[0].host.localHIT), at: 1)
        let x = network.queue.removeFirst(), y = network.queue.removeFirst()
        #expect(x.from == 0 && y.from == 1)
        network.deliver(y)                              // 0 gets 1's rekey; ACK(y) queued
        network.deliver(network.queue.removeFirst())    // ACK(y) at 1
        network.deliver(x)                              // 1 gets 0's rekey; ACK(x) queued
        network.deliver(network.queue.removeFirst())    // ACK(x) at 0: 0 switches
        #expect(network.queue.isEmpty)
        for _ in 0..<15 {
            _ = network.sendESP(1, to: 0)              // one-way traffic 1 → 0
            network.run(for: .seconds(1))
        }
        let o10 = network.opens(1, to: 0)
        #expect(o10)
        #expect(network.association(1, with: 0)?.isRekeying == false)
    }

    /// Crossing periodic rekeys with different DH settings: the smaller HIT yields, and rekeys go on.
    @Test func crossingRekeysWithDifferentDHChoicesConverge() throws {
        var s0 = TestHosts.fastSettings(); s0.rekeyInterval = .seconds(60); s0.rekeysWithDiffieHellman = true
        var s1 = TestHosts.fastSettings(); s1.rekeyInterval = .seconds(60); s1.rekeysWithDiffieHellman = false
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, settings: s0, seed: 1),
                                   try TestHosts.make(great, settings: s1, seed: 2)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        _ = network.sendESP(0, to: 1) && network.sendESP(1, to: 0)
        network.run(for: .seconds(600))
        #expect(network.peers.allSatisfy { $0.host.counters.rekeys >= 2 && $0.host.counters.updatesUnanswered == 0 })
        #expect(network.opens(0, to: 1) && network.opens(1, to: 0))
    }
}

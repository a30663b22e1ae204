// The base exchange between two hosts in memory (RFC 7401 §4.1, §6): the packets in order, the states, the
// SAs both ends install, the reports, over UDP and raw IP (IPv4 and IPv6).
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct BaseExchangeTests {
    /// By default (no keylog) neither side exports the KEYMAT inputs: the SA pairs carry none, and neither
    /// do the session keys (the session's KEYMAT stays inside the core for rekeys); the keys still agree.
    @Test func keymatInputsAreNotExportedUnlessAsked() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var settings = TestHosts.fastSettings()
        settings.exportsKeymatInputs = false
        var network = TestNetwork([try TestHosts.make(small, settings: settings, seed: 1),
                                   try TestHosts.make(great, settings: settings, seed: 2)])
        network.connect(0, to: 1)
        network.deliver(network.queue.removeFirst())
        network.deliver(network.queue.removeFirst())
        guard case .i2Sent(let pending)? = network.association(0, with: 1)?.phase else {
            Issue.record("not in I2-SENT")
            return
        }
        #expect(pending.keys.keymatInputs == nil)
        network.run(for: .seconds(1))
        let a = try #require(network.peers[0].sas.values.first), b = try #require(network.peers[1].sas.values.first)
        #expect(a.keymatInputs == nil && b.keymatInputs == nil)
        #expect(network.association(0, with: 1)?.session?.keys.keymatInputs == nil)
        #expect(network.association(1, with: 0)?.session?.keys.keymatInputs == nil)
        #expect(a.outboundKeys.encryption.bytes == b.inboundKeys.encryption.bytes)
        #expect(a.inboundKeys.encryption.bytes == b.outboundKeys.encryption.bytes)
    }

    @Test(arguments: [(Transport.udp(port: 10500), false), (.raw, false), (.raw, true), (.udp(port: 10500), true)])
    func exchangeCompletesAndKeysAgree(transport: Transport, ipv6: Bool) throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)],
                                  transport: transport, ipv6: ipv6)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))

        #expect(network.sentTypes(from: 0) == [.i1, .i2])
        #expect(network.sentTypes(from: 1) == [.r1, .r2])
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
        let (initiator, responder) = try Agreement.expectMirrored(network, 0, 1)
        #expect(initiator.suite == .aesGCM16)
        #expect(initiator.peerEndpoint == network.endpoint(1))
        #expect(responder.peerEndpoint == Endpoint(address: network.peers[0].address, transport: transport))
        #expect(network.association(0, with: 1)?.role == .initiator)
        #expect(network.association(1, with: 0)?.role == .responder)
        #expect(network.association(0, with: 1)?.hipCipher == .aes128CBC)
        #expect(network.association(0, with: 1)?.dhGroup == .nistP256)
        #expect(network.peers.allSatisfy { $0.rejections.isEmpty })
        guard case .established(let peer, .initiator, let latency?)? = network.peers[0].reports.last else {
            Issue.record("no established report: \(network.peers[0].reports)")
            return
        }
        #expect(peer == great.hit)
        #expect(latency == .zero)   // nothing advanced the manual clock
        #expect(network.peers[0].host.counters.associationsEstablished == 1)
        #expect(network.peers[1].host.counters.sent(.r1) == 1)
        #expect(network.peers[1].host.counters.received(.i2) == 1)

        // Traffic on the new SA moves the Responder to ESTABLISHED.
        network.sendESP(0, to: 1)
        #expect(network.association(1, with: 0)?.state == .established)
    }
}

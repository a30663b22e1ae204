// Unknown SPIs from a peer's address (spoofable): which association states may start a base exchange, the
// per-peer backoff, and the bound on what it remembers.
import HIPCore
import HIPWire
import Testing
@testable import SynapticNode

@Suite struct UnknownSPIRecoveryTests {
    static let peer = HIT("2001:2a::1")!
    static func peer(_ index: Int) -> HIT { HIT("2001:2a::\(index)")! }
    static func at(_ milliseconds: Int) -> Instant { Instant(nanoseconds: 1_000_000_000 + UInt64(milliseconds) * 1_000_000) }

    @Test func onlyWithoutAssociation() {
        var recovery = UnknownSPIRecovery(backoff: NodeLimits.unknownSPIBackoff, peerLimit: 8)
        func admit(_ peer: HIT, _ state: AssociationState?) -> Bool { recovery.admit(peer, state: state, now: Self.at(0)) }
        for state: AssociationState in [.i1Sent, .i2Sent, .r2Sent, .established, .closing, .closed, .failed] {
            #expect(!admit(Self.peer, state), "\(state)")
        }
        #expect(recovery.started == 0 && recovery.suppressed == 0)
        #expect(admit(Self.peer, nil))
        #expect(admit(Self.peer(2), nil))
        #expect(recovery.started == 2)
    }

    @Test func atMostOneExchangePerPeerPerBackoff() {
        let backoff = NodeLimits.unknownSPIBackoff
        #expect(backoff >= .seconds(1))
        var recovery = UnknownSPIRecovery(backoff: backoff, peerLimit: 8)
        func admit(_ peer: HIT, _ state: AssociationState?, _ milliseconds: Int) -> Bool {
            recovery.admit(peer, state: state, now: Self.at(milliseconds))
        }
        let milliseconds = Int(backoff.milliseconds)
        #expect(admit(Self.peer, nil, 0))
        // A flood within the backoff starts nothing more; other peers are not held back.
        for step in 1..<100 { #expect(!admit(Self.peer, nil, step * (milliseconds - 1) / 100)) }
        #expect(admit(Self.peer(2), nil, 1))
        #expect(!admit(Self.peer, nil, milliseconds - 1))
        #expect(admit(Self.peer, nil, milliseconds))
        #expect(recovery.started == 3 && recovery.suppressed == 100)
    }

    @Test func remembersABoundedNumberOfPeers() {
        var recovery = UnknownSPIRecovery(backoff: .seconds(5), peerLimit: 4)
        func admit(_ index: Int, _ milliseconds: Int) -> Bool {
            recovery.admit(Self.peer(index), state: nil, now: Self.at(milliseconds))
        }
        for index in 1...4 { #expect(admit(index, index)) }
        // Full of peers still in their backoff: a new one waits.
        #expect(!admit(5, 10))
        #expect(recovery.rememberedPeers == 4 && recovery.suppressed == 1)
        // Once backoffs expire, they are forgotten to make room.
        #expect(admit(5, 5_002))
        #expect(recovery.rememberedPeers == 3)   // peers 3 and 4 (less than 5 s ago) and peer 5
    }
}

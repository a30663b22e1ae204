// NOTIFY: built for unknown critical parameters (RFC 7401 §5.2.1) and invalid I2 choices (§6.9.1, RFC 7402
// §5.1.3), rate limited, and acted on (reported) only when its signature verifies against a known host
// identity (§6.13); never a state change. ECHO_REQUEST_SIGNED/UNSIGNED in R1 answered in I2 (§5.2.20–23).
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct NotifyTests {
    static func network(seed: UInt64 = 101) throws -> TestNetwork {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        return TestNetwork([try TestHosts.make(small, seed: seed), try TestHosts.make(great, seed: seed + 1)])
    }

    static func notifications(_ peer: TestPeer) -> [Notification] {
        peer.reports.compactMap { if case .notified(_, let n) = $0 { n } else { nil } }
    }

    static func adding(_ parameter: HIPParameter, to datagram: Datagram) throws -> Datagram {
        var packet = try HIPPacket.parse(datagram.bytes)
        packet.parameters.append(parameter)
        var copy = datagram
        copy.bytes = packet.serialize()
        return copy
    }

    @Test(arguments: [PacketType.i1, .i2])
    func unknownCriticalParameterIsAnsweredWithNotify(_ type: PacketType) throws {
        var network = try Self.network()
        var tampered = false
        network.intercept = { datagram in
            guard datagram.type == type, !tampered else { return [datagram] }
            tampered = true
            return [try! Self.adding(.unknown(type: 32769, contents: [1, 2, 3, 4]), to: datagram)]
        }
        network.connect(0, to: 1)
        network.deliverAll()
        #expect(network.peers[1].rejectionReasons == [.unsupportedCriticalParameter])
        #expect(network.sentTypes(from: 1).last == .notify)
        // The Initiator has no association keys yet (I1) or has them (I2): either way the NOTIFY carries
        // the Responder's HOST_ID, which hashes to its HIT, so it is authenticated and reported.
        #expect(Self.notifications(network.peers[0]) == [Notification(type: 1, data: [0x80, 0x01])])
        #expect(network.association(0, with: 1)?.state == (type == .i1 ? .i1Sent : .i2Sent))
        network.run(for: .seconds(5))   // the retransmission is not tampered
        #expect(network.association(0, with: 1)?.state == .established)
    }

    @Test func unknownCriticalParameterInUpdateIsAnswered() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let update = HIPPacket(type: .update, senderHIT: network.peers[0].host.localHIT,
                               receiverHIT: network.peers[1].host.localHIT,
                               parameters: [.seq(0), .unknown(type: 40001, contents: [0, 0, 0, 0])])
        network.handle(.packet(bytes: update.serialize(), source: network.endpoint(0),
                               destination: network.peers[1].address), at: 1)
        network.deliverAll()
        #expect(network.peers[1].rejectionReasons == [.unsupportedCriticalParameter])
        #expect(Self.notifications(network.peers[0]) == [Notification(type: 1, data: [0x9C, 0x41])])
    }

    /// No NOTIFY for an unknown critical parameter in other packets (here R1: its sender keeps no state).
    @Test func noNotifyForR1() throws {
        var network = try Self.network()
        network.intercept = { $0.type == .r1 ? [try! Self.adding(.unknown(type: 32769, contents: []), to: $0)] : [$0] }
        network.connect(0, to: 1)
        network.deliverAll()
        #expect(network.peers[0].rejectionReasons == [.unsupportedCriticalParameter])
        #expect(network.sentTypes(from: 0) == [.i1])
    }

    @Test func forgedNotifiesAreNotActedOn() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let mallory = try TestIdentities.identity(.ecdsaP256, 5)
        let greater = network.peers[1].host.localHIT, smaller = network.peers[0].host.localHIT
        // Claims the peer's HIT, carries and is signed by Mallory's identity.
        let withHostID = HIPPacket(type: .notify, senderHIT: greater, receiverHIT: smaller, parameters: [
            .notification(Notification(type: NotifyType.authenticationFailed)),
            .hostID(HostID(algorithm: 7, hostIdentity: mallory.publicIdentity.hostIdentity)),
        ])
        // Signed by Mallory, no HOST_ID: checked against the association's identity.
        let withoutHostID = HIPPacket(type: .notify, senderHIT: greater, receiverHIT: smaller,
                                      parameters: [.notification(Notification(type: NotifyType.authenticationFailed))])
        // From a stranger with no association and no HOST_ID.
        let stranger = HIPPacket(type: .notify, senderHIT: mallory.hit, receiverHIT: smaller,
                                 parameters: [.notification(Notification(type: NotifyType.blockedByPolicy))])
        for packet in [withHostID, withoutHostID, stranger] {
            let bytes = try PacketSealer.seal(packet, identity: mallory)
            network.handle(.packet(bytes: bytes, source: network.endpoint(1), destination: network.peers[0].address), at: 0)
        }
        #expect(network.peers[0].rejectionReasons == [.unauthenticatedNotify, .unauthenticatedNotify, .unauthenticatedNotify])
        #expect(Self.notifications(network.peers[0]).isEmpty)
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.peers[0].sas.count == 1)
        // The genuine peer's NOTIFY (no HOST_ID needed: the association knows the identity) is reported.
        let genuine = try PacketSealer.seal(withoutHostID, identity: try TestIdentities.pair(.ecdsaP256).greater)
        network.handle(.packet(bytes: genuine, source: network.endpoint(1), destination: network.peers[0].address), at: 0)
        #expect(Self.notifications(network.peers[0]) == [Notification(type: NotifyType.authenticationFailed)])
        #expect(network.association(0, with: 1)?.state == .established)
    }

    @Test func notifiesAreRateLimited() throws {
        var network = try Self.network()
        let i1 = HIPPacket(type: .i1, senderHIT: network.peers[0].host.localHIT, receiverHIT: network.peers[1].host.localHIT,
                           parameters: [.dhGroupList([7]), .unknown(type: 32769, contents: [])]).serialize()
        for _ in 0..<25 {
            network.handle(.packet(bytes: i1, source: network.endpoint(0), destination: network.peers[1].address), at: 1)
        }
        #expect(network.queue.count == 10)
        #expect(network.peers[1].host.counters.notifiesSuppressed == 15)
        #expect(network.peers[1].host.counters.rejected(.unsupportedCriticalParameter) == 25)
        network.now = network.now + .milliseconds(500)
        network.handle(.packet(bytes: i1, source: network.endpoint(0), destination: network.peers[1].address), at: 1)
        #expect(network.queue.count == 11)
    }

    /// A genuine NOTIFY replayed 25 times: reported within the report rate, the rest counted, none rejected.
    @Test func replayedNotifiesAreReportedWithinTheRate() throws {
        var network = try Self.network()
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let notify = try network.peers[1].host.local.notify(to: network.peers[0].host.localHIT,
                                                             type: NotifyType.i2Acknowledgement, data: [7])
        func replay() {
            network.handle(.packet(bytes: notify, source: network.endpoint(1), destination: network.peers[0].address), at: 0)
        }
        for _ in 0..<25 { replay() }
        let rate = network.peers[0].host.settings.notifyReportRatePerSecond
        #expect(Self.notifications(network.peers[0]).count == rate)
        #expect(network.peers[0].host.counters.notifyReportsSuppressed == UInt64(25 - rate))
        #expect(network.peers[0].rejections.isEmpty)
        network.now = network.now + .milliseconds(500)
        replay()
        #expect(Self.notifications(network.peers[0]).count == rate + 1)
    }

    /// One NOTIFY packet carrying more notifications than `notificationsPerPacket`: the first are reported.
    @Test func notificationsPerPacketAreCapped() throws {
        var network = try Self.network()
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        let sent = (0..<UInt16(6)).map { Notification(type: NotifyType.i2Acknowledgement, data: [UInt8($0)]) }
        let packet = HIPPacket(type: .notify, senderHIT: great.hit, receiverHIT: small.hit,
                               parameters: sent.map { .notification($0) } + [network.peers[1].host.local.hostID])
        let bytes = try PacketSealer.seal(packet, identity: great)
        network.handle(.packet(bytes: bytes, source: network.endpoint(1), destination: network.peers[0].address), at: 0)
        let cap = CoreLimits.notificationsPerPacket
        #expect(Self.notifications(network.peers[0]) == Array(sent.prefix(cap)))
        #expect(network.peers[0].host.counters.notifyReportsSuppressed == UInt64(sent.count - cap))
    }

    /// An I2 that picks a cipher or ESP suite the R1 did not offer is answered with NOTIFY 17 / 19.
    @Test(arguments: [(ParameterType.hipCipher, NotifyType.invalidHIPCipherChosen, RejectReason.invalidHIPCipherChosen),
                      (ParameterType.espTransform, NotifyType.invalidESPTransformChosen, RejectReason.invalidESPSuiteChosen)])
    func invalidChoicesAreNotified(parameter: UInt16, notify: UInt16, reason: RejectReason) throws {
        var network = try Self.network()
        var tampered = false
        network.intercept = { datagram in
            guard datagram.type == .i2, !tampered else { return [datagram] }
            tampered = true
            var packet = try! HIPPacket.parse(datagram.bytes)
            let index = packet.parameters.firstIndex { $0.type == parameter }!
            packet.parameters[index] = parameter == ParameterType.hipCipher ? .hipCipher([3]) : .espTransform([12])
            var copy = datagram
            copy.bytes = packet.serialize()
            return [copy]
        }
        network.connect(0, to: 1)
        network.deliverAll()
        #expect(network.peers[1].rejectionReasons == [reason])
        #expect(Self.notifications(network.peers[0]) == [Notification(type: notify)])
        #expect(network.association(1, with: 0) == nil)
    }

    @Test func echoRequestsInR1AreAnswered() throws {
        var network = try Self.network()
        let responder = try TestIdentities.pair(.ecdsaP256).greater
        network.intercept = { datagram in
            guard datagram.type == .r1 else { return [datagram] }
            // The Responder asks for a signed echo (re-signed with its key); a middlebox adds two unsigned.
            var packet = try! HIPPacket.parse(datagram.bytes)
            packet.parameters.removeAll { $0.type == ParameterType.hipSignature2 }
            packet.parameters.append(.echoRequestSigned([0xEC, 0x40]))
            packet.parameters.append(try! PacketSealer.signature2(forR1: packet.serialize(), identity: responder))
            packet.parameters += [.echoRequestUnsigned([1]), .echoRequestUnsigned([2, 2])]
            var copy = datagram
            copy.bytes = packet.serialize()
            return [copy]
        }
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        #expect(network.association(0, with: 1)?.state == .established)
        let i2 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .i2 }).bytes)
        #expect(i2.echoResponseSigned == [0xEC, 0x40])
        let unsigned = i2.parameters.compactMap { if case .echoResponseUnsigned(let v) = $0 { v } else { nil } }
        #expect(unsigned == [[1], [2, 2]])
        // The signed echo is inside the signature, the unsigned ones after it.
        let types = i2.parameters.map(\.type)
        let signature = try #require(types.firstIndex(of: ParameterType.hipSignature))
        #expect(try #require(types.firstIndex(of: ParameterType.echoResponseSigned)) < signature)
        #expect(types.suffix(2) == [ParameterType.echoResponseUnsigned, ParameterType.echoResponseUnsigned])
    }
}

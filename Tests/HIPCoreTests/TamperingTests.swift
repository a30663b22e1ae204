// Tampering: one bit flipped in every byte that a MAC or signature covers, in every packet of an exchange
// (R1, I2, R2, NOTIFY, CLOSE, CLOSE_ACK), is rejected with its reason and changes no state; plus the
// attacks that need more than one bit: a wrong puzzle solution, a replayed or stale I2, a HIT that does not
// match its HOST_ID (R1 and I2), a downgraded DH list, and R1's unsigned puzzle fields.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct TamperingTests {
    /// The reasons allowed for a flip at `index` of a packet of `type` with `layout`; nil: any reason.
    /// `.malformed` is always allowed outside MACs and signatures: inner length fields (DIFFIE_HELLMAN's
    /// Public Value Length, HOST_ID's HI and DI lengths) no longer agree with the TLV.
    static func allowedReasons(_ type: PacketType, index: Int,
                               layout: [(type: UInt16, start: Int, contents: Range<Int>)]) -> Set<RejectReason>? {
        guard let reasons = specificReasons(type, index: index, layout: layout) else { return nil }
        let authenticator = [RejectReason.macFailed, .signatureFailed]
        return reasons.count == 1 && authenticator.contains(reasons.first!) && isAuthenticator(index, layout)
            ? reasons : reasons.union([.malformed])
    }

    static func isAuthenticator(_ index: Int, _ layout: [(type: UInt16, start: Int, contents: Range<Int>)]) -> Bool {
        layout.contains {
            $0.contents.contains(index) && [ParameterType.hipMAC, ParameterType.hipMAC2, ParameterType.hipSignature,
                                             ParameterType.hipSignature2].contains($0.type)
        }
    }

    static func specificReasons(_ type: PacketType, index: Int,
                               layout: [(type: UInt16, start: Int, contents: Range<Int>)]) -> Set<RejectReason>? {
        let macFailure: Set<RejectReason> = type == .r1 ? [.signatureFailed]
            : type == .notify ? [.unauthenticatedNotify] : [.macFailed]
        switch index {
        case 0..<4: return nil                               // Next Header, HdrLen, type, version: parse
        case 6..<8: return macFailure                        // Controls
        case 8..<24: return nil                              // Sender's HIT: another peer altogether
        case 24..<40: return [.notForUs]                     // Receiver's HIT
        default: break
        }
        guard let tlv = layout.last(where: { $0.start <= index }), tlv.contents.contains(index) else {
            return nil                                       // a TLV's Type/Length, or padding
        }
        let offset = index - tlv.contents.lowerBound
        switch (type, tlv.type) {
        case (.notify, _): return [.unauthenticatedNotify]
        case (_, ParameterType.hipMAC), (_, ParameterType.hipMAC2): return [.macFailed]
        case (_, ParameterType.hipSignature), (_, ParameterType.hipSignature2): return [.signatureFailed]
        // The HI (key) fails to parse or hashes elsewhere; the DI fields are only signed.
        case (.r1, ParameterType.hostID): return [.unsupportedHostIdentity, .hitMismatch, .signatureFailed]
        case (.i2, ParameterType.solution):
            return offset == 1 ? [.macFailed] : [.puzzleMismatch, .wrongPuzzleSolution, .macFailed]
        case (.i2, ParameterType.r1Counter): return offset < 4 ? [.macFailed] : [.stalePuzzle]
        case (.i2, ParameterType.hipCipher): return [.invalidHIPCipherChosen, .macFailed]
        // The reserved bytes are only MAC'd; a changed mode ID is refused before the MAC (NOTIFY 60).
        case (.i2, ParameterType.natTraversalMode): return offset < 2 ? [.macFailed] : [.invalidNATTraversalMode]
        case (.i2, ParameterType.espTransform), (.i2, ParameterType.transportFormatList):
            return [.invalidESPSuiteChosen, .macFailed]
        case (.i2, ParameterType.diffieHellman):
            return offset == 0 ? [.unsupportedDHGroup] : offset < 3 ? nil : [.invalidDHPublicValue, .macFailed]
        default: return macFailure
        }
    }

    @Test func everyCoveredBitIsProtected() throws {
        let steps = try Recording.completeExchange()
        var checked: [PacketType: Int] = [:]
        for step in steps where step.datagram.type != .i1 {
            let datagram = step.datagram
            let receiver = try #require(datagram.to)
            let layout = tlvLayout(datagram.bytes)
            let signature = try #require(layout.first {
                $0.type == ParameterType.hipSignature || $0.type == ParameterType.hipSignature2
            })
            let puzzle = layout.first { $0.type == ParameterType.puzzle }
            let before = HostFingerprint(step.before.peers[receiver])
            for index in 0..<signature.contents.upperBound where !(4..<6).contains(index) {
                // R1's Opaque and #I are outside HIP_SIGNATURE_2 (tested below).
                if datagram.type == .r1, let puzzle, index >= puzzle.contents.lowerBound + 2,
                   index < puzzle.contents.upperBound { continue }
                var tampered = datagram
                tampered.bytes[index] ^= UInt8(1) << UInt8(index % 8)
                var network = step.before
                let reportsBefore = network.peers[receiver].reports.count
                let sasBefore = network.peers[receiver].sas.keys.sorted()
                network.deliver(tampered)
                let peer = network.peers[receiver]
                let context = "\(datagram.type) byte \(index)"
                let newReports = peer.reports.dropFirst(reportsBefore)
                guard newReports.count == 1, case .rejected(let rejection)? = newReports.first else {
                    Issue.record("\(context): not rejected: \(Array(newReports))")
                    continue
                }
                if let allowed = Self.allowedReasons(datagram.type, index: index, layout: layout) {
                    #expect(allowed.contains(rejection.reason), "\(context): \(rejection.reason)")
                }
                #expect(HostFingerprint(peer) == before, "\(context)")
                #expect(peer.sas.keys.sorted() == sasBefore, "\(context)")
                // Nothing is sent, except a NOTIFY for an I2 whose choices are invalid.
                let sends = network.queue.map(\.type)
                #expect(sends.isEmpty || (datagram.type == .i2 && sends == [.notify]), "\(context): sent \(sends)")
                checked[datagram.type, default: 0] += 1
            }
        }
        // Every packet type was exercised over its whole covered length.
        #expect(Set(checked.keys) == [.r1, .i2, .r2, .notify, .close, .closeAck])
        #expect(checked.values.allSatisfy { $0 > 100 })
    }

    /// R1's Opaque and #I are not signed (HIP_SIGNATURE_2 zeroes them): the Initiator cannot notice, but the
    /// Responder refuses the I2 that answers a puzzle it did not send.
    @Test(arguments: [2, 3, 4, 20])
    func unsignedPuzzleFieldsAreCaughtByTheResponder(offsetInPuzzle: Int) throws {
        let steps = try Recording.completeExchange()
        let step = try #require(steps.first { $0.datagram.type == .r1 })
        let puzzle = try #require(tlvLayout(step.datagram.bytes).first { $0.type == ParameterType.puzzle })
        var tampered = step.datagram
        tampered.bytes[puzzle.contents.lowerBound + offsetInPuzzle] ^= 0x01
        var network = step.before
        network.deliver(tampered)                       // the Initiator answers it
        #expect(network.association(0, with: 1)?.state == .i2Sent)
        network.deliverAll()                            // the Responder refuses the I2
        #expect(network.peers[1].rejectionReasons == [.puzzleMismatch])
        #expect(network.association(1, with: 0) == nil)
    }

    @Test func wrongPuzzleSolution() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var settings = TestHosts.fastSettings()
        settings.puzzleDifficulty = 12
        var network = TestNetwork([try TestHosts.make(small, seed: 41), try TestHosts.make(great, settings: settings, seed: 42)])
        network.connect(0, to: 1)
        network.deliver(network.queue.removeFirst())
        network.deliver(network.queue.removeFirst())
        let i2 = network.queue.removeFirst()
        var packet = try HIPPacket.parse(i2.bytes)
        let index = try #require(packet.parameters.firstIndex { $0.type == ParameterType.solution })
        guard case .solution(var solution) = packet.parameters[index] else { return }
        #expect(PuzzleSolver.verify(i: solution.random, j: solution.solution, k: 12, hitI: small.hit, hitR: great.hit,
                                    hash: great.publicIdentity.hitSuite.hash))
        // The next #J values that do not solve it (about 4095 in 4096).
        repeat {
            solution.solution[solution.solution.count - 1] &+= 1
        } while PuzzleSolver.verify(i: solution.random, j: solution.solution, k: 12, hitI: small.hit, hitR: great.hit,
                                    hash: great.publicIdentity.hitSuite.hash)
        packet.parameters[index] = .solution(solution)
        var wrong = i2
        wrong.bytes = packet.serialize()
        let before = HostFingerprint(network.peers[1])
        network.deliver(wrong)
        #expect(network.peers[1].rejectionReasons == [.wrongPuzzleSolution])
        #expect(HostFingerprint(network.peers[1]) == before)
        network.deliver(i2)                              // the genuine I2 still works
        #expect(network.association(1, with: 0)?.state == .r2Sent)
    }

    /// An I2 replayed after the association it created was closed.
    @Test func replayedI2AfterClose() throws {
        let steps = try Recording.completeExchange()
        let i2 = try #require(steps.first { $0.datagram.type == .i2 }).datagram
        var network = try #require(steps.last).before
        network.deliverAll()
        network.deliver(try #require(steps.last).datagram)   // CLOSE_ACK: peer 0 done; peer 1 CLOSED
        #expect(network.association(1, with: 0)?.state == .closed)
        let before = HostFingerprint(network.peers[1])
        network.deliver(i2)
        #expect(network.peers[1].rejectionReasons == [.replayedI2])
        #expect(HostFingerprint(network.peers[1]) == before)
        #expect(network.peers[1].sas.isEmpty && network.queue.isEmpty)
    }

    /// An I2 replayed after the peer restarted: the new association is kept.
    @Test func replayedI2AfterRestart() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 51), try TestHosts.make(great, seed: 52)])
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        let oldI2 = try #require(network.sent.first { $0.type == .i2 })
        let (fresh, spis) = try TestHosts.make(small, seed: 53)
        network.peers[0] = TestPeer(host: fresh, addresses: network.peers[0].addresses, spis: spis)
        network.connect(0, to: 1)
        network.run(for: .seconds(1))
        try Agreement.expectMirrored(network, 0, 1)
        let before = HostFingerprint(network.peers[1])
        network.deliver(oldI2)
        #expect(network.peers[1].rejectionReasons == [.replayedI2])
        #expect(HostFingerprint(network.peers[1]) == before)
        try Agreement.expectMirrored(network, 0, 1)
    }

    /// An I2 answering an R1 two generations old is stale; one generation old is still accepted.
    @Test(arguments: [1, 2])
    func staleGeneration(rotations: Int) throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 61), try TestHosts.make(great, seed: 62)])
        network.connect(0, to: 1)
        network.deliver(network.queue.removeFirst())
        network.deliver(network.queue.removeFirst())
        let i2 = network.queue.removeFirst()
        // Only the Responder's clock moves: its R1 generation rotates every 120 s.
        for _ in 0..<rotations {
            network.now = network.now + .seconds(120)
            network.handle(.timer, at: 1)
        }
        #expect(network.peers[1].host.r1Generation == UInt64(1 + rotations))
        network.deliver(i2)
        if rotations == 1 {
            #expect(network.association(1, with: 0)?.state == .r2Sent)
        } else {
            #expect(network.peers[1].rejectionReasons == [.stalePuzzle])
            #expect(network.association(1, with: 0) == nil)
        }
    }

    /// A genuine (pre-signed) R1 replayed from an address our I1 did not go to is refused, in I1-SENT and,
    /// with a newer generation, in I2-SENT: it cannot steer our I2 elsewhere.
    @Test func r1FromAnotherAddressIsRefused() throws {
        let steps = try Recording.completeExchange()
        let i1 = try #require(steps.first { $0.datagram.type == .i1 }).datagram
        let step = try #require(steps.first { $0.datagram.type == .r1 })
        let attacker = Endpoint(address: try #require(IPAddress("203.0.113.66")), transport: step.datagram.source.transport)
        var network = step.before
        func replay(_ r1: Datagram) {
            network.handle(.packet(bytes: r1.bytes, source: attacker, destination: r1.destination), at: 0)
        }
        replay(step.datagram)
        #expect(network.peers[0].rejectionReasons == [.r1FromUnexpectedSource])
        #expect(network.association(0, with: 1)?.state == .i1Sent)
        #expect(network.queue.isEmpty && network.peers[0].spis.allocatedCount == 0)
        network.deliver(step.datagram)                  // from the peer's address: answered
        #expect(network.association(0, with: 1)?.state == .i2Sent)
        #expect(network.queue.map(\.type) == [.i2] && network.queue[0].destination == network.peers[1].address)
        network.queue.removeAll()
        // A newer generation's R1 would restart the exchange, but not from the attacker's address.
        network.now = network.now + .seconds(120)
        network.handle(.timer, at: 1)
        network.deliver(i1)
        let newer = network.queue.removeFirst()
        #expect(try HIPPacket.parse(newer.bytes).r1Counter == 2)
        replay(newer)
        #expect(network.peers[0].rejectionReasons == [.r1FromUnexpectedSource, .r1FromUnexpectedSource])
        #expect(network.queue.isEmpty)
        network.deliver(newer)
        #expect(network.queue.map(\.type) == [.i2])
    }

    /// An R1 whose HOST_ID was replaced by another identity's (and re-signed with that identity).
    @Test func r1WithForeignHostID() throws {
        let steps = try Recording.completeExchange()
        let step = try #require(steps.first { $0.datagram.type == .r1 })
        let mallory = try TestIdentities.identity(.ecdsaP256, 5)
        var packet = try HIPPacket.parse(step.datagram.bytes)
        packet.parameters.removeAll { $0.type == ParameterType.hipSignature2 }
        let index = try #require(packet.parameters.firstIndex { $0.type == ParameterType.hostID })
        packet.parameters[index] = .hostID(HostID(algorithm: mallory.publicIdentity.algorithm.rawValue,
                                                  hostIdentity: mallory.publicIdentity.hostIdentity))
        packet.parameters.append(try PacketSealer.signature2(forR1: packet.serialize(), identity: mallory))
        var forged = step.datagram
        forged.bytes = packet.serialize()
        var network = step.before
        network.deliver(forged)
        #expect(network.peers[0].rejectionReasons == [.hitMismatch])
        #expect(network.association(0, with: 1)?.state == .i1Sent)
    }

    /// An I2 whose HOST_ID is another identity's, with a valid HIP_MAC (the attacker knows the keys of its own
    /// exchange) and signed by that identity: the HIT does not match.
    @Test func i2WithForeignHostID() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var settings = TestHosts.fastSettings()
        settings.allowsNullHIPCipher = true
        settings.hipCiphers = [.null]
        var network = TestNetwork([try TestHosts.make(small, settings: settings, seed: 71),
                                   try TestHosts.make(great, settings: settings, seed: 72)])
        let i2 = try network.holdI2()
        let mallory = try TestIdentities.identity(.ecdsaP256, 5)
        var packet = try i2.unsealedPacket()
        let index = try #require(packet.parameters.firstIndex { $0.type == ParameterType.hostID })
        packet.parameters[index] = .hostID(HostID(algorithm: mallory.publicIdentity.algorithm.rawValue,
                                                  hostIdentity: mallory.publicIdentity.hostIdentity))
        let forged = try i2.resealed(packet, identity: mallory)
        let before = HostFingerprint(network.peers[1])
        network.deliver(forged)
        #expect(network.peers[1].rejectionReasons == [.hitMismatch])
        #expect(HostFingerprint(network.peers[1]) == before)
        network.deliver(i2.datagram)
        #expect(network.association(1, with: 0)?.state == .r2Sent)
    }

    /// An attacker rewrites the (unsigned) I1 DH_GROUP_LIST to the weakest group: the Responder follows it,
    /// but its signed R1 list shows the Initiator that its first choice was not honoured.
    @Test func downgradedDHList() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var settings = HostSettings()
        settings.dhGroups = [.nistP256, .modp1536]
        var network = TestNetwork([try TestHosts.make(small, settings: settings, seed: 81),
                                   try TestHosts.make(great, settings: settings, seed: 82)])
        /// The attacker's rewrite of an I1: its DH_GROUP_LIST offers only the weakest group.
        func downgraded(_ i1: Datagram) -> Datagram {
            var packet = try! HIPPacket.parse(i1.bytes)
            packet.parameters = [.dhGroupList([DHGroup.modp1536.rawValue])]
            var copy = i1
            copy.bytes = packet.serialize()
            return copy
        }
        var rewritten = 0
        network.intercept = { datagram in
            guard datagram.type == .i1, rewritten < 1 else { return [datagram] }
            rewritten += 1
            return [downgraded(datagram)]
        }
        network.connect(0, to: 1)
        network.deliverAll()
        #expect(network.peers[0].rejectionReasons == [.dhDowngrade])
        #expect(network.association(0, with: 1)?.state == .i1Sent)   // no state change
        #expect(network.peers[0].spis.allocatedCount == 0)
        // The next (untouched) I1 completes with the preferred group.
        network.run(for: .seconds(5))
        #expect(network.association(0, with: 1)?.state == .established)
        #expect(network.association(0, with: 1)?.dhGroup == .nistP256)

        // A persistent attacker only achieves E-FAILED.
        var attacked = TestNetwork([try TestHosts.make(small, settings: settings, seed: 83),
                                    try TestHosts.make(great, settings: settings, seed: 84)])
        attacked.intercept = { datagram in [datagram.type == .i1 ? downgraded(datagram) : datagram] }
        attacked.connect(0, to: 1)
        attacked.run(for: .seconds(60))
        #expect(attacked.peers[0].rejectionReasons == Array(repeating: .dhDowngrade, count: 5))
        #expect(attacked.peers[0].reports.contains { if case .failed(_, .noResponseToI1) = $0 { true } else { false } })
    }
}

// coveredRegion against every mac_checks[].mac_input_hex and signature_checks[].signed_data_hex, plus
// the building path (region of our own packet before the MAC is added) and its errors.

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct CoveredRegionTests {
    static let checks: [CoverageCheck] = (try? Vectors.macChecks() + Vectors.signatureChecks()) ?? []

    @Test func everyCheckIsPresent() throws {
        #expect(try Vectors.macChecks().count == 6)
        #expect(try Vectors.signatureChecks().count == 13)
        #expect(Self.checks.count == 19)
    }

    @Test(arguments: checks)
    func regionEqualsVector(_ check: CoverageCheck) throws {
        let packet = try Vectors.packet(run: check.run, label: check.label)
        let region = try coveredRegion(of: packet.bytes, before: check.parameterType, rule: check.rule)
        #expect(region == check.expected)
        #expect(Int(region[1]) == region.count / 8 - 1)
        #expect(region[4] == 0 && region[5] == 0)
    }

    /// When building, the region of the packet without the MAC/signature parameter equals the region of
    /// the finished packet (so the sender and receiver agree).
    @Test(arguments: checks)
    func regionIsTheSameBeforeTheParameterIsAdded(_ check: CoverageCheck) throws {
        let captured = try Vectors.packet(run: check.run, label: check.label)
        var packet = try HIPPacket.parse(captured.bytes, options: .lenient)
        packet.parameters.removeAll { $0.type >= check.parameterType }
        if captured.sortedOnWire {
            let region = try coveredRegion(of: packet.serialize(), before: check.parameterType, rule: check.rule)
            #expect(region == check.expected)
        }
    }

    @Test func signature2ZeroesOnlyReceiverHITAndPuzzleFields() throws {
        let r1 = try Vectors.packet(run: "run5", label: "R1")
        let plain = try coveredRegion(of: r1.bytes, before: ParameterType.hipSignature2, rule: .signature)
        let zeroed = try coveredRegion(of: r1.bytes, before: ParameterType.hipSignature2, rule: .signature2)
        let puzzle = try #require(r1.parameters.first { $0.type == ParameterType.puzzle })
        let changed = Set(zip(plain, zeroed).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset))
        let allowed = Set(24..<40).union(puzzle.offset + 6..<puzzle.offset + 4 + puzzle.length)
        #expect(changed.isSubset(of: allowed))
        #expect(zeroed[24..<40].allSatisfy { $0 == 0 })
        #expect(zeroed[(puzzle.offset + 6)..<(puzzle.offset + 4 + puzzle.length)].allSatisfy { $0 == 0 })
        #expect(zeroed[puzzle.offset + 4] == plain[puzzle.offset + 4])   // #K kept
        #expect(zeroed[puzzle.offset + 5] == plain[puzzle.offset + 5])   // lifetime kept
    }

    @Test func wholeMessageWhenNoParameterQualifies() throws {
        let i1 = try Vectors.packet(run: "run5", label: "I1")
        var expected = i1.bytes
        expected[4] = 0
        expected[5] = 0
        #expect(try coveredRegion(of: i1.bytes, before: ParameterType.hipMAC, rule: .mac) == expected)
    }

    @Test func rejectsBadHostIDTLVAndBadPuzzle() throws {
        let r2 = try Vectors.packet(run: "run5", label: "R2")
        #expect(throws: HIPWireError.badParameterLength(type: ParameterType.hostID)) {
            try coveredRegion(of: r2.bytes, before: ParameterType.hipMAC2, rule: .mac2(responderHostIDTLV: [1, 2, 3]))
        }
        #expect(throws: HIPWireError.badParameterLength(type: ParameterType.hostID)) {
            try coveredRegion(of: r2.bytes, before: ParameterType.hipMAC2,
                              rule: .mac2(responderHostIDTLV: [0x02, 0xC1, 0x00, 0x10, 0, 0, 0, 0]))
        }
        // A PUZZLE with 2 bytes of contents cannot have its fields zeroed.
        let short = HIPPacket(type: .r1, senderHIT: .null, receiverHIT: .null,
                              parameters: [.unknown(type: ParameterType.puzzle, contents: [1, 2])])
        #expect(throws: HIPWireError.badParameterLength(type: ParameterType.puzzle)) {
            try coveredRegion(of: short.serialize(), before: ParameterType.hipSignature2, rule: .signature2)
        }
        // Too large once HOST_ID is appended.
        let big = HIPPacket(type: .r2, senderHIT: .null, receiverHIT: .null,
                            parameters: [.echoRequestSigned(Array(repeating: 1, count: 1900))])
        let hostID = HIPPacket(type: .r1, senderHIT: .null, receiverHIT: .null,
                               parameters: [.hostID(HostID(algorithm: 5, hostIdentity: Array(repeating: 2, count: 200)))])
        #expect(throws: HIPWireError.tooLarge) {
            try coveredRegion(of: big.serialize(), before: ParameterType.hipMAC2,
                              rule: .mac2(responderHostIDTLV: Array(hostID.serialize().dropFirst(40))))
        }
    }
}

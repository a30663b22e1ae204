// Hostile input: truncations, random bytes, bit flips and length-field edits of real packets. Every
// case must end in a value or a typed HIPWireError, never a trap; specific cases give specific errors.

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct HostileInputTests {
    /// Runs every entry point on `bytes`; returns the strict parse result.
    @discardableResult
    static func exercise(_ bytes: [UInt8]) -> Result<HIPPacket, HIPWireError> {
        let strict = Result { () throws(HIPWireError) in try HIPPacket.parse(bytes) }
        let lenient = Result { () throws(HIPWireError) in try HIPPacket.parse(bytes, options: .lenient) }
        for type: UInt16 in [ParameterType.hipMAC, ParameterType.hipSignature2, ParameterType.hipMAC2] {
            _ = Result { () throws(HIPWireError) in try coveredRegion(of: bytes, before: type, rule: .signature2) }
            _ = Result { () throws(HIPWireError) in
                try coveredRegion(of: bytes, before: type, rule: .mac2(responderHostIDTLV: bytes.count % 8 == 0 ? bytes : []))
            }
        }
        _ = bytes.withUnsafeBytes { UDPPayload.classify($0) }
        // A successful parse re-serializes to something that parses strictly to the same packet, with
        // the parameters stably sorted (lenient parsing keeps wire order; serializing sorts).
        for case .success(var packet) in [strict, lenient] {
            let reparsed = try? HIPPacket.parse(packet.serialize())
            packet.parameters = packet.parameters.enumerated()
                .sorted { ($0.element.type, $0.offset) < ($1.element.type, $1.offset) }.map(\.element)
            #expect(reparsed == packet)
        }
        if case .success = strict { #expect((try? lenient.get()) == (try? strict.get())) }
        return strict
    }

    @Test(arguments: try Vectors.capturedPackets())
    func everyTruncationIsATypedError(_ captured: CapturedPacket) {
        for length in 0..<captured.bytes.count {
            let result = Self.exercise(Array(captured.bytes.prefix(length)))
            let expected: HIPWireError = length < 40 || length < (Int(captured.bytes[1]) + 1) * 8
                ? .truncated : .badHeaderLength
            #expect(throws: expected) { try result.get() }
        }
        // Extra bytes after the packet are refused too.
        #expect(throws: HIPWireError.badHeaderLength) { try Self.exercise(captured.bytes + [0]).get() }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededGenerator(seed: 0x5EED)
        for round in 0..<4000 {
            var bytes = rng.bytes(Int.random(in: 0...600, using: &rng))
            // Half the inputs get a plausible header so the parameter parser is reached.
            if round % 2 == 0, bytes.count >= 48 {
                bytes.removeLast(bytes.count % 8)
                bytes[0] = 59
                bytes[1] = UInt8(bytes.count / 8 - 1)
                bytes[2] = PacketType.allCases.randomElement(using: &rng)!.rawValue
                bytes[3] = 0x21
            }
            Self.exercise(bytes)
        }
    }

    /// Random contents under known parameter types: reaches every decoder with
    /// hostile contents. Some packets parse (checked by `exercise`), most give a typed error.
    @Test func randomContentsUnderKnownTypes() throws {
        var rng = SeededGenerator(seed: 0xC0DE)
        let hit = try #require(HIT("2001:20::1"))
        var known = ParameterSamples.all(using: &rng).map(\.type)
        known.removeAll { $0 >= 8192 && $0 <= 32767 }
        var parsed = 0
        for _ in 0..<4000 {
            let parameters: [HIPParameter] = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                .unknown(type: known.randomElement(using: &rng)!, contents: rng.bytes(Int.random(in: 0...60, using: &rng)))
            }
            let packet = HIPPacket(type: .update, senderHIT: hit, receiverHIT: hit, parameters: parameters)
            if case .success = Self.exercise(packet.serialize()) { parsed += 1 }
        }
        #expect(parsed > 100)
    }

    /// Random parameter sequences built from real TLVs, with random lengths written into them.
    @Test func lengthFieldEditsGiveTypedErrors() throws {
        var rng = SeededGenerator(seed: 99)
        for captured in try Vectors.capturedPackets() {
            for parameter in captured.parameters {
                for _ in 0..<20 {
                    var bytes = captured.bytes
                    let newLength = UInt16.random(in: 0...UInt16.max, using: &rng)
                    bytes[parameter.offset + 2] = UInt8(newLength >> 8)
                    bytes[parameter.offset + 3] = UInt8(newLength & 0xFF)
                    let result = Self.exercise(bytes)
                    if Int(newLength) != parameter.length, case .success(let packet) = result {
                        // Only possible when the new length keeps the same padded size and fits the layout.
                        #expect((4 + Int(newLength) + 7) / 8 == (4 + parameter.length + 7) / 8, "\(captured)")
                        _ = packet
                    }
                }
                // A length that runs past the end names the parameter.
                var bytes = captured.bytes
                bytes[parameter.offset + 2] = 0xFF
                bytes[parameter.offset + 3] = 0xFF
                #expect(throws: HIPWireError.badParameterLength(type: parameter.type)) {
                    try HIPPacket.parse(bytes, options: .lenient)
                }
            }
        }
    }

    /// Every single-bit flip of every captured packet.
    @Test(arguments: try Vectors.capturedPackets())
    func everyBitFlipIsHandled(_ captured: CapturedPacket) {
        for index in 0..<captured.bytes.count {
            for bit in 0..<8 {
                var bytes = captured.bytes
                bytes[index] ^= 1 << bit
                Self.exercise(bytes)
            }
        }
    }

    @Test func headerErrors() throws {
        let i1 = try Vectors.packet(run: "run5", label: "I1").bytes
        var bytes = i1
        bytes[0] = 6
        #expect(throws: HIPWireError.badNextHeader(6)) { try HIPPacket.parse(bytes) }
        bytes = i1
        bytes[1] = 3
        #expect(throws: HIPWireError.badHeaderLength) { try HIPPacket.parse(bytes) }
        #expect(throws: HIPWireError.badHeaderLength) { try HIPPacket.parse(Array(bytes.prefix(32)) + [0, 0, 0, 0, 0, 0, 0, 0]) }
        bytes = i1
        bytes[3] = 0x11
        #expect(throws: HIPWireError.badVersion(1)) { try HIPPacket.parse(bytes) }
        bytes = i1
        bytes[3] = 0x20
        #expect(throws: HIPWireError.badFixedBit) { try HIPPacket.parse(bytes) }
        bytes = i1
        bytes[2] |= 0x80
        #expect(throws: HIPWireError.badFixedBit) { try HIPPacket.parse(bytes) }
        bytes = i1
        bytes[2] = 5
        #expect(throws: HIPWireError.unknownPacketType(5)) { try HIPPacket.parse(bytes) }
        #expect(throws: HIPWireError.unknownPacketType(5)) { try HIPHeader.parse(bytes) }
        let header = try HIPHeader.parse(i1)
        #expect(header.type == .i1 && header.length == i1.count && header.controls == 0)
        #expect(header.receiverHIT == HIT(bytes: i1[24..<40]))
    }

    @Test func criticalAndNonCriticalUnknownParameters() throws {
        let hit = try #require(HIT("2001:20::1"))
        for type: UInt16 in [1, 577, 4097, 8193, 65535] {
            let packet = HIPPacket(type: .i2, senderHIT: hit, receiverHIT: hit,
                                   parameters: [.unknown(type: type, contents: [1, 2, 3])])
            // The header alone still parses, so the NOTIFY can be addressed to the sender.
            #expect(try HIPHeader.parse(packet.serialize()).senderHIT == hit)
            do {
                _ = try HIPPacket.parse(packet.serialize())
                Issue.record("unknown critical \(type) accepted")
            } catch {
                #expect(error == .unknownCriticalParameter(type: type))
                #expect(error.unknownCriticalType == type)
                #expect(error.parameterType == type)
                #expect(error.name == "unknown_critical_parameter")
                #expect(error.description == "unknown critical parameter \(type)")
            }
        }
        for type: UInt16 in [0, 2, 128, 4096, 8192, 65534] {
            let packet = HIPPacket(type: .i2, senderHIT: hit, receiverHIT: hit,
                                   parameters: [.unknown(type: type, contents: [1, 2, 3])])
            let parsed = try HIPPacket.parse(packet.serialize())
            #expect(parsed.parameters == [.unknown(type: type, contents: [1, 2, 3])])
            #expect((try? HIPPacket.parse(packet.serialize()))?.first(type) != nil)
        }
        #expect(HIPWireError.truncated.unknownCriticalType == nil)
    }

    @Test func orderRules() throws {
        let hit = try #require(HIT("2001:20::1"))
        // Equal types consecutive: fine. Equal types split by another type: out of order.
        let consecutive = HIPPacket(type: .notify, senderHIT: hit, receiverHIT: hit,
                                    parameters: [.notification(Notification(type: 1)), .notification(Notification(type: 2)),
                                                 .hipSignature(Signature(algorithm: 5, signature: [1]))])
        #expect(try HIPPacket.parse(consecutive.serialize()) == consecutive)
        var bytes = HIPPacket(type: .notify, senderHIT: hit, receiverHIT: hit,
                              parameters: [.notification(Notification(type: 1)), .seq(9),
                                           .hipSignature(Signature(algorithm: 5, signature: [1]))]).serialize()
        // Swap SEQ (385, 8 bytes at 40) after the NOTIFICATION (832, 8 bytes at 48): 832, 385, 61697.
        let seq = Array(bytes[40..<48])
        bytes.replaceSubrange(40..<48, with: bytes[48..<56])
        bytes.replaceSubrange(48..<56, with: seq)
        #expect(throws: HIPWireError.parametersOutOfOrder(type: ParameterType.seq)) { try HIPPacket.parse(bytes) }
        let lenient = try HIPPacket.parse(bytes, options: .lenient)
        #expect(lenient.parameters.map(\.type) == [ParameterType.notification, ParameterType.seq, ParameterType.hipSignature])
    }

    @Test func parameterLayoutErrorsNameTheParameter() throws {
        let hit = try #require(HIT("2001:20::1"))
        func parse(_ type: UInt16, _ contents: [UInt8]) -> HIPWireError? {
            let bytes = HIPPacket(type: .update, senderHIT: hit, receiverHIT: hit,
                                  parameters: [.unknown(type: type, contents: contents)]).serialize()
            do {
                _ = try HIPPacket.parse(bytes)
                return nil
            } catch {
                return error
            }
        }
        let tooShortOrLong: [(UInt16, [UInt8])] = [
            (ParameterType.espInfo, Array(repeating: 0, count: 11)), (ParameterType.espInfo, Array(repeating: 0, count: 13)),
            (ParameterType.r1Counter, Array(repeating: 0, count: 8)), (ParameterType.seq, [1, 2, 3]),
            (ParameterType.ack, []), (ParameterType.ack, [1, 2, 3, 4, 5]), (ParameterType.dhGroupList, []),
            (ParameterType.hipCipher, [1]), (ParameterType.natTraversalMode, [0, 0]), (ParameterType.espTransform, [0, 0, 1]),
            (ParameterType.puzzle, [1, 2, 3, 4]), (ParameterType.solution, [1, 2, 3, 4, 5]),
            (ParameterType.solution, [1, 2, 3, 4, 5, 6, 7]), (ParameterType.hostID, [0, 0, 0]),
            (ParameterType.notification, [0, 0, 1]), (ParameterType.regInfo, [1]), (ParameterType.regRequest, []),
            (ParameterType.regFrom, Array(repeating: 0, count: 19)), (ParameterType.relayTo, Array(repeating: 0, count: 21)),
            (ParameterType.peerPermission, Array(repeating: 0, count: 47)), (ParameterType.nominate, []),
            (ParameterType.hipMAC, []), (ParameterType.hipSignature, [0, 5]), (ParameterType.from, Array(repeating: 0, count: 4)),
            (ParameterType.viaRVS, Array(repeating: 0, count: 17)), (ParameterType.viaRVS, []),
            (ParameterType.encrypted, [0, 0, 0]), (ParameterType.cert, [1, 2, 3]), (ParameterType.diffieHellman, [7, 0, 0]),
            (ParameterType.locatorSet, [0, 0, 4, 0, 0, 0, 0, 1]), (ParameterType.transactionPacing, [1]),
        ]
        for (type, contents) in tooShortOrLong {
            #expect(parse(type, contents) == .badParameterLength(type: type), "\(type) \(contents.count)")
        }
        let inconsistent: [(UInt16, [UInt8])] = [
            (ParameterType.diffieHellman, [7, 0, 2, 1, 2, 3]),                         // PV length 2, 3 bytes
            (ParameterType.hostID, [0, 2, 0, 0, 0, 5, 1]),                            // HI length 2, 1 byte
            (ParameterType.locatorSet, [0, 0, 5, 0, 0, 0, 0, 1] + Array(repeating: 0, count: 16)),   // type 0, length 5
        ]
        for (type, contents) in inconsistent {
            #expect(parse(type, contents) == .malformedParameter(type: type), "\(type)")
        }
    }

    @Test func locatorTypesDecode() throws {
        let hit = try #require(HIT("2001:20::1"))
        let address = try #require(IPAddress("192.0.2.7")).v4Mapped
        let locators = [
            Locator(trafficType: 0, preferred: true, lifetime: 600, address: .address(address)),
            Locator(trafficType: 2, lifetime: 60, address: .espAddress(spi: 0x1234_5678, address: address)),
            Locator(trafficType: 1, lifetime: 30, address: .transport(port: 10500, proto: 17, kind: 1, priority: 0x7E00_00FF,
                                                                    spi: 9, address: address)),
            Locator(lifetime: 5, address: .unknown(locatorType: 200, bytes: [1, 2, 3, 4])),
        ]
        let packet = HIPPacket(type: .update, senderHIT: hit, receiverHIT: hit, parameters: [.locatorSet(locators)])
        let bytes = packet.serialize()
        // The first locator as RFC 8046 §4 lays it out.
        #expect(Array(bytes[44..<52]) == [0, 0, 4, 1, 0, 0, 0x02, 0x58])
        #expect(Array(bytes[52..<68]) == address)
        // Type 1 then type 2 headers.
        #expect(Array(bytes[68..<72]) == [2, 1, 5, 0])
        #expect(Array(bytes[96..<100]) == [1, 2, 7, 0])
        #expect(try HIPPacket.parse(bytes) == packet)
        #expect(IPAddress(mappedBytes: address) == .v4(0xC000_0207))
    }
}

// Every parameter case: random values serialize, parse back strictly to the same value, with the TLV
// Length = contents only and zero padding; serializer ordering, sizes and invalid values.

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct ParameterRoundTripTests {
    static let hitA = HIT("2001:21:aa79:5f7a:cbe2:a133:9362:6f4e")!
    static let hitB = HIT("2001:21:ffac:c16a:21b9:393c:b3bc:14de")!

    @Test func samplesCoverEveryCaseInAscendingOrder() {
        var rng = SeededGenerator(seed: 1)
        let samples = ParameterSamples.all(using: &rng)
        #expect(samples.count == ParameterSamples.caseCount)
        #expect(Set(samples.map(\.type)).count == ParameterSamples.caseCount)
        #expect(samples.map(\.type) == samples.map(\.type).sorted())
    }

    @Test func eachParameterRoundTripsAlone() throws {
        var rng = SeededGenerator(seed: 2)
        for round in 0..<200 {
            for parameter in ParameterSamples.all(using: &rng, maxBytes: 300) {
                let packet = HIPPacket(type: PacketType.allCases.randomElement(using: &rng)!,
                                       senderHIT: Self.hitA, receiverHIT: Self.hitB,
                                       controls: UInt16(round & 1), parameters: [parameter])
                let bytes = packet.serialize()
                #expect(bytes.count % 8 == 0)
                #expect(Int(bytes[1]) == bytes.count / 8 - 1)
                let length = Int(bytes[42]) << 8 | Int(bytes[43])
                #expect(UInt16(bytes[40]) << 8 | UInt16(bytes[41]) == parameter.type)
                #expect(bytes.count == 40 + (4 + length + 7) / 8 * 8, "\(parameter.type)")
                #expect(bytes[(44 + length)...].allSatisfy { $0 == 0 }, "padding of \(parameter.type)")
                let parsed = try HIPPacket.parse(bytes)
                #expect(parsed == packet, "\(parameter.type)")
            }
        }
    }

    @Test func allParametersTogetherRoundTrip() throws {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<100 {
            let samples = ParameterSamples.all(using: &rng, maxBytes: 16)
            let packet = HIPPacket(type: .update, senderHIT: Self.hitA, receiverHIT: Self.hitB, parameters: samples)
            let bytes = packet.serialize()
            #expect(try HIPPacket.parse(bytes) == packet)
            // A caller-owned buffer of exactly the size works; one byte less is refused.
            let length = try packet.encodedLength()
            #expect(length == bytes.count)
            var buffer = [UInt8](repeating: 0xAA, count: length)
            let written = try buffer.withUnsafeMutableBytes { try packet.serialize(into: $0) }
            #expect(written == length && buffer == bytes)
            var small = [UInt8](repeating: 0, count: length - 1)
            #expect(throws: HIPWireError.bufferTooSmall(needed: length)) {
                _ = try small.withUnsafeMutableBytes { try packet.serialize(into: $0) }
            }
        }
    }

    /// The serializer sorts by type, stably: equal types keep their order.
    @Test func serializerSortsStably() throws {
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<100 {
            let samples = ParameterSamples.all(using: &rng, maxBytes: 8)
                + [.echoRequestUnsigned([1]), .echoRequestUnsigned([2]), .notification(Notification(type: 1)),
                   .notification(Notification(type: 2))]
            let sorted = samples.enumerated().sorted { ($0.element.type, $0.offset) < ($1.element.type, $1.offset) }
                .map(\.element)
            let shuffled = samples.shuffled(using: &rng)
            let packet = HIPPacket(type: .notify, senderHIT: Self.hitA, receiverHIT: Self.hitB, parameters: shuffled)
            let parsed = try HIPPacket.parse(packet.serialize())
            #expect(parsed.parameters.map(\.type) == sorted.map(\.type))
            // Same-type parameters appear in the order they had in `shuffled`.
            for type in Set(shuffled.map(\.type)) {
                #expect(parsed.parameters.filter { $0.type == type } == shuffled.filter { $0.type == type })
            }
        }
    }

    @Test func headerFields() throws {
        let packet = HIPPacket(type: .closeAck, senderHIT: Self.hitA, receiverHIT: .null, controls: 1)
        let bytes = packet.serialize()
        #expect(bytes.count == 40)
        #expect(Array(bytes[0..<8]) == [59, 4, 19, 0x21, 0, 0, 0, 1])
        #expect(Array(bytes[8..<24]) == Self.hitA.bytes)
        #expect(bytes[24..<40].allSatisfy { $0 == 0 })
        #expect(try HIPPacket.parse(bytes) == packet)
    }

    @Test func invalidValuesAreRefused() {
        let bad: [HIPParameter] = [
            .from([1, 2, 3]), .viaRVS([]), .viaRVS([Array(repeating: 0, count: 15)]), .ack([]), .dhGroupList([]),
            .hipCipher([]), .espTransform([]), .natTraversalMode([]), .transportFormatList([]), .hitSuiteList([]),
            .hipMAC([]), .rvsHMAC([]), .relayHMAC([]), .hipMAC2([]),
            .puzzle(Puzzle(k: 1, lifetime: 1, opaque: 1, random: [])),
            .solution(Solution(k: 1, opaque: 1, random: [1, 2], solution: [1])),
            .diffieHellman(DiffieHellmanValue(group: 7, publicValue: [])),
            .hostID(HostID(algorithm: 5, hostIdentity: [1], diType: 16)),
            .hipSignature(Signature(algorithm: 5, signature: [])),
            .regFrom(TransportAddress(port: 1, address: [1])),
            .peerPermission(PeerPermission(relayPort: 1, peerPort: 2, relayAddress: [], peerAddress: Array(repeating: 0, count: 16),
                                           outboundSPI: 1, inboundSPI: 2)),
            .locatorSet([Locator(lifetime: 1, address: .address([1, 2]))]),
            .locatorSet([Locator(lifetime: 1, address: .unknown(locatorType: 1, bytes: []))]),
            .locatorSet([Locator(lifetime: 1, address: .unknown(locatorType: 9, bytes: [1, 2, 3]))]),
        ]
        for parameter in bad {
            let packet = HIPPacket(type: .update, senderHIT: Self.hitA, receiverHIT: Self.hitB, parameters: [parameter])
            #expect(throws: HIPWireError.invalidValue(type: parameter.type)) { try packet.encodedLength() }
            var buffer = [UInt8](repeating: 0, count: 2048)
            #expect(throws: HIPWireError.invalidValue(type: parameter.type)) {
                _ = try buffer.withUnsafeMutableBytes { try packet.serialize(into: $0) }
            }
        }
    }

    @Test func packetSizeLimit() throws {
        // 40 + 8 + 2000 = 2048 is the largest; one more byte of contents is too large.
        let largest = HIPPacket(type: .update, senderHIT: Self.hitA, receiverHIT: Self.hitB,
                                parameters: [.echoRequestSigned(Array(repeating: 7, count: 2004))])
        #expect(try largest.encodedLength() == 2048)
        let bytes = largest.serialize()
        #expect(bytes[1] == 255)
        #expect(try HIPPacket.parse(bytes) == largest)
        let tooLarge = HIPPacket(type: .update, senderHIT: Self.hitA, receiverHIT: Self.hitB,
                                 parameters: [.echoRequestSigned(Array(repeating: 7, count: 2005))])
        #expect(throws: HIPWireError.tooLarge) { try tooLarge.encodedLength() }
        let huge = HIPPacket(type: .update, senderHIT: Self.hitA, receiverHIT: Self.hitB,
                             parameters: [.encrypted(Array(repeating: 7, count: 70_000))])
        #expect(throws: HIPWireError.tooLarge) { try huge.encodedLength() }
    }

    @Test func firstFindsTheFirstOfAType() {
        let packet = HIPPacket(type: .notify, senderHIT: Self.hitA, receiverHIT: Self.hitB,
                               parameters: [.notification(Notification(type: 1)), .notification(Notification(type: 2))])
        #expect(packet.first(ParameterType.notification) == .notification(Notification(type: 1)))
        #expect(packet.first(ParameterType.seq) == nil)
    }
}

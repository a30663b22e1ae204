// Every captured HIP packet: strict parse (run5, run1), identical re-serialization, agreement with the
// vector file's own decoding; the old repo capture's unsorted R1/I2 rejected strict and read lenient.

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct VectorPacketTests {
    @Test(arguments: try Vectors.capturedPackets().filter(\.sortedOnWire))
    func sortedCapturesParseStrictAndReserializeIdentically(_ captured: CapturedPacket) throws {
        let packet = try HIPPacket.parse(captured.bytes)
        var expected = captured.bytes
        expected[4] = 0   // serialize leaves the checksum 0
        expected[5] = 0
        #expect(packet.serialize() == expected)
        #expect(packet.parameters.map(\.type) == captured.parameters.map(\.type))
        #expect(packet.parameters.allSatisfy { if case .unknown = $0 { false } else { true } })
        #expect(packet.senderHIT.bytes == Array(captured.bytes[8..<24]))
        #expect(packet.receiverHIT.bytes == Array(captured.bytes[24..<40]))
        // Each parameter re-encodes to the captured TLV.
        for (parameter, tlv) in zip(packet.parameters, captured.parameters) {
            let single = HIPPacket(type: packet.type, senderHIT: packet.senderHIT, receiverHIT: packet.receiverHIT,
                                   parameters: [parameter])
            #expect(Array(single.serialize().dropFirst(40)) == tlv.tlv, "\(captured) \(tlv.type)")
        }
    }

    @Test func strictRunsAreAllSorted() throws {
        let packets = try Vectors.capturedPackets()
        #expect(packets.filter { $0.run != "repo_hip_pcap" }.allSatisfy { $0.sortedOnWire })
        #expect(packets.filter { !$0.sortedOnWire }.map(\.label) == ["R1", "I2"])
    }

    @Test(arguments: try Vectors.capturedPackets().filter { !$0.sortedOnWire })
    func unsortedCapturesRejectedStrictAcceptedLenient(_ captured: CapturedPacket) throws {
        // The first parameter whose type is below its predecessor is named.
        let types = captured.parameters.map(\.type)
        let firstOutOfOrder = try #require(zip(types, types.dropFirst()).first { $1 < $0 }?.1)
        #expect(throws: HIPWireError.parametersOutOfOrder(type: firstOutOfOrder)) {
            try HIPPacket.parse(captured.bytes)
        }
        let packet = try HIPPacket.parse(captured.bytes, options: .lenient)
        #expect(packet.parameters.map(\.type) == types)   // wire order kept

        // Serializing sorts stably; the TLVs are the captured ones, except the DIFFIE_HELLMAN Public
        // Value Length that old cutehip wrote as 8 (we write the real length, 64).
        var expected = Array(captured.bytes[0..<40])
        expected[4] = 0
        expected[5] = 0
        for parameter in captured.parameters.enumerated().sorted(by: { ($0.element.type, $0.offset) < ($1.element.type, $1.offset) }) {
            var tlv = parameter.element.tlv
            if parameter.element.type == ParameterType.diffieHellman {
                #expect(tlv[5...6] == [0x00, 0x08])
                tlv[5] = 0x00
                tlv[6] = 0x40
            }
            expected += tlv
        }
        let reserialized = packet.serialize()
        #expect(reserialized == expected)
        // Our output is strict-valid and means the same.
        let reparsed = try HIPPacket.parse(reserialized)
        #expect(Set(reparsed.parameters) == Set(packet.parameters))
        #expect(reparsed.parameters.count == packet.parameters.count)
    }

    @Test func repoDHLengthQuirkIsLenientOnly() throws {
        // The repo I1 is sorted and valid; its R2 is sorted too. Its R1 DH value is rejected strict even
        // if the order were fixed: check the DIFFIE_HELLMAN TLV on its own.
        let r1 = try Vectors.packet(run: "repo_hip_pcap", label: "R1")
        let dhTLV = try #require(r1.parameters.first { $0.type == ParameterType.diffieHellman }).tlv
        let alone = Array(r1.bytes[0..<40]) + dhTLV
        var bytes = alone
        bytes[1] = UInt8(alone.count / 8 - 1)
        #expect(throws: HIPWireError.malformedParameter(type: ParameterType.diffieHellman)) {
            try HIPPacket.parse(bytes)
        }
        let lenient = try HIPPacket.parse(bytes, options: .lenient)
        guard case .diffieHellman(let dh) = try #require(lenient.first(ParameterType.diffieHellman)) else {
            Issue.record("no DIFFIE_HELLMAN")
            return
        }
        #expect(dh.group == 7)
        #expect(dh.publicValue.count == 64)
        #expect(try dh.publicValue == Vectors.load()["repo_hip_pcap"]["negotiation"]["dh_public_values"]["r1"]["public_value_hex"].bytes)
    }

    /// Decoded fields agree with the vector file's decoding (run5).
    @Test func run5DecodedFieldsMatchVectors() throws {
        let json = try Vectors.load()["run5"]
        let r1 = try HIPPacket.parse(try Vectors.packet(run: "run5", label: "R1").bytes)
        #expect(r1.type == .r1)
        #expect(r1.senderHIT == HIT(json["hosts"]["ia1"]["hit"].string ?? ""))
        guard case .puzzle(let puzzle) = try #require(r1.first(ParameterType.puzzle)) else {
            Issue.record("no PUZZLE")
            return
        }
        #expect(puzzle.k == 0)
        #expect(puzzle.lifetime == 37)
        #expect(puzzle.opaque == 0xA4E0)
        #expect(puzzle.random == json["puzzle"]["I_hex"].bytes)
        guard case .hostID(let hostID) = try #require(r1.first(ParameterType.hostID)) else {
            Issue.record("no HOST_ID")
            return
        }
        #expect(hostID.algorithm == 5)
        #expect(hostID.hostIdentity == json["hosts"]["ia1"]["host_identity_hex"].bytes)
        #expect(hostID.diType == 2)
        #expect(hostID.domainIdentifier == Array("dmitriy.kuptsov@strangebit.io".utf8))
        #expect(r1.first(ParameterType.dhGroupList) == .dhGroupList([7]))
        #expect(r1.first(ParameterType.hipCipher) == .hipCipher([2, 4]))
        #expect(r1.first(ParameterType.transportFormatList) == .transportFormatList([4095]))

        let i2 = try HIPPacket.parse(try Vectors.packet(run: "run5", label: "I2").bytes)
        #expect(i2.first(ParameterType.espInfo) == .espInfo(ESPInfo(keymatIndex: 96, oldSPI: 0, newSPI: 0xFE61_24D4)))
        guard case .solution(let solution) = try #require(i2.first(ParameterType.solution)) else {
            Issue.record("no SOLUTION")
            return
        }
        #expect(solution.random == json["puzzle"]["I_hex"].bytes)
        #expect(solution.solution == json["puzzle"]["J_hex"].bytes)
        #expect(solution.opaque == 0xA4E0)

        let r2 = try HIPPacket.parse(try Vectors.packet(run: "run5", label: "R2").bytes)
        #expect(r2.first(ParameterType.espInfo) == .espInfo(ESPInfo(keymatIndex: 96, oldSPI: 0, newSPI: 0x6BBB_3E92)))
        // cutehip's R2 signature sits in a HIP_SIGNATURE_2 TLV.
        guard case .hipSignature2(let signature) = try #require(r2.first(ParameterType.hipSignature2)) else {
            Issue.record("no signature")
            return
        }
        #expect(signature.algorithm == 5)
        #expect(signature.signature.count == 256)
    }
}

// Our packets through Wireshark's dissector: one packet of each type carrying every parameter kind,
// over raw IP 139 (IPv4 and IPv6) and over UDP 10500 with the zero marker. Every frame must decode as
// HIP with no "Malformed" mark; the expert warnings tshark 4.0 gives are listed and explained below.

import Foundation
import HIPWire
import SynapticTestSupport
import Testing

@Suite struct TSharkTests {
    /// Realistic values for every parameter kind (RSA HOST_ID and P-256 DH from the run5 capture).
    static func everyParameter() throws -> [HIPParameter] {
        let run5 = try Vectors.load()["run5"]
        let hostIdentity = try #require(run5["hosts"]["ia1"]["host_identity_hex"].bytes)
        let dh = try #require(run5["negotiation"]["dh_public_values"]["r1"]["public_value_hex"].bytes)
        let i = try #require(run5["puzzle"]["I_hex"].bytes), j = try #require(run5["puzzle"]["J_hex"].bytes)
        let v4 = try #require(IPAddress("192.0.2.1")).v4Mapped, v6 = try #require(IPAddress("2001:db8::2")).bytes
        let relay = TransportAddress(port: 10500, proto: 17, address: v4)
        return [
            .espInfo(ESPInfo(keymatIndex: 96, oldSPI: 0, newSPI: 0xFE61_24D4)),
            .r1Counter(7),
            .locatorSet([
                Locator(trafficType: 0, preferred: true, lifetime: 600, address: .address(v6)),
                Locator(trafficType: 2, lifetime: 600, address: .espAddress(spi: 0x1234_5678, address: v4)),
                Locator(trafficType: 0, lifetime: 600, address: .transport(port: 10500, proto: 17, kind: 0,
                                                                           priority: 0x7E00_00FF, spi: 0x1234_5678,
                                                                           address: v4)),
            ]),
            .puzzle(Puzzle(k: 1, lifetime: 37, opaque: 0xA4E0, random: i)),
            .solution(Solution(k: 1, opaque: 0xA4E0, random: i, solution: j)),
            .seq(1),
            .ack([1, 2]),
            .dhGroupList([7, 8, 3]),
            .diffieHellman(DiffieHellmanValue(group: 7, publicValue: dh)),
            .hipCipher([2, 4]),
            .natTraversalMode([1, 3]),
            .transactionPacing(50),
            .encrypted(Array(repeating: 0x5A, count: 48)),
            .hostID(HostID(algorithm: 5, hostIdentity: hostIdentity, diType: 2,
                           domainIdentifier: Array("host@example.org".utf8))),
            .hitSuiteList([0x10, 0x20]),
            .cert(Certificate(group: 1, count: 1, id: 1, type: 1, certificate: Array(repeating: 0x30, count: 20))),
            .notification(Notification(type: 16385)),
            .echoRequestSigned([1, 2, 3, 4]),
            .regInfo(RegInfo(minLifetime: 96, maxLifetime: 196, types: [1, 2])),
            .regRequest(RegRequest(lifetime: 120, types: [1])),
            .regResponse(RegResponse(lifetime: 120, types: [1])),
            .regFailed(RegFailed(failureType: 1, types: [3])),
            .regFrom(relay),
            .echoResponseSigned([1, 2, 3, 4]),
            .transportFormatList([4095]),
            .espTransform([13, 8, 9]),
            .relayedAddress(relay),
            .mappedAddress(relay),
            .peerPermission(PeerPermission(relayPort: 10500, peerPort: 10500, proto: 17, relayAddress: v4,
                                           peerAddress: v6, outboundSPI: 0x1111_2222, inboundSPI: 0x3333_4444)),
            .candidatePriority(0x7E00_00FF),
            .nominate,
            .unknown(type: 32768, contents: [0xDE, 0xAD]),
            .hipMAC(Array(repeating: 0xAB, count: 32)),
            .hipMAC2(Array(repeating: 0xCD, count: 32)),
            .hipSignature2(Signature(algorithm: 5, signature: Array(repeating: 0x11, count: 256))),
            .hipSignature(Signature(algorithm: 5, signature: Array(repeating: 0x22, count: 256))),
            .echoResponseUnsigned([5, 6]),
            .echoRequestUnsigned([5, 6]),
            .relayFrom(relay),
            .relayTo(relay),
            .from(v4),
            .rvsHMAC(Array(repeating: 0xEF, count: 32)),
            .viaRVS([v4, v6]),
            .relayHMAC(Array(repeating: 0x99, count: 32)),
        ]
    }

    @Test(arguments: [PcapWriter.LinkType.rawIP, .ethernet])
    func tsharkDecodesEveryPacketTypeAndParameter(_ linkType: PcapWriter.LinkType) throws {
        let parameters = try Self.everyParameter()
        #expect(Set(parameters.map(\.type)).count == ParameterSamples.caseCount)
        let sender = try #require(HIT("2001:21:aa79:5f7a:cbe2:a133:9362:6f4e"))
        let receiver = try #require(HIT("2001:21:ffac:c16a:21b9:393c:b3bc:14de"))
        let v4 = (try #require(IPAddress("192.0.2.1")), try #require(IPAddress("192.0.2.2")))
        let v6 = (try #require(IPAddress("2001:db8::1")), try #require(IPAddress("2001:db8::2")))

        var pcap = PcapWriter(linkType: linkType)
        var expected: [(PacketType, String)] = []
        for type in PacketType.allCases {
            let bytes = HIPPacket(type: type, senderHIT: sender, receiverHIT: receiver, parameters: parameters).serialize()
            pcap.appendHIP(bytes, source: v4.0, destination: v4.1)
            pcap.appendHIP(bytes, source: v6.0, destination: v6.1)
            pcap.appendHIP(bytes, source: v4.0, destination: v4.1, transport: .udp(sourcePort: 10500, destinationPort: 10500))
            pcap.appendHIP(bytes, source: v6.1, destination: v6.0, transport: .udp(sourcePort: 40000, destinationPort: 10500))
            expected += [(type, "raw IPv4"), (type, "raw IPv6"), (type, "UDP IPv4"), (type, "UDP IPv6")]
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hipwire-\(getpid())-\(linkType.rawValue).pcap").path
        try pcap.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let frames = try TShark.decode(pcap: path,
                                       extraFields: ["hip.packet_type", "hip.version", "hip.checksum.status", "hip.type",
                                                     "ip.checksum.status", "udp.checksum.status"],
                                       preferences: ["ip.check_checksum:TRUE", "udp.check_checksum:TRUE"])
        #expect(frames.count == expected.count)
        let types = parameters.map { String($0.type) }
        for (frame, (type, how)) in zip(frames, expected) {
            let context = "\(type) \(how): \(frame)"
            #expect(frame.protocols.last == "hip", "\(context)")
            #expect(!frame.malformed, "\(context)")
            #expect(frame.fields["hip.packet_type"] == [String(type.rawValue)], "\(context)")
            #expect(frame.fields["hip.version"] == ["2"], "\(context)")
            // 1 = Good: the raw-IP checksum verifies; over UDP tshark accepts the required 0.
            #expect(frame.fields["hip.checksum.status"] == ["1"], "\(context)")
            // tshark walks the same TLVs (lengths and padding agree with ours).
            #expect(frame.fields["hip.type"] == types, "\(context)")
            #expect(frame.fields["ip.checksum.status"].map { $0 == [] || $0 == ["1"] } == true, "\(context)")
            if how.hasPrefix("UDP") { #expect(frame.fields["udp.checksum.status"] == ["1"], "\(context)") }
            // Only the HOST_ID warnings explained below, once each.
            #expect(frame.experts.map(\.message).sorted() == Self.expectedExperts.sorted(), "\(context)")
            #expect(frame.experts.allSatisfy { $0.severity == "warning" }, "\(context)")
        }
    }

    /// The same two warnings on the independent implementation's captured R1 and I2 (the frames with a
    /// HOST_ID), and none on its other packets: they come from the dissector, not from our encoding.
    @Test func sameWarningsOnTheCutehipCapture() throws {
        let frames = try TShark.decode(pcap: Vectors.path("cutehip-run5.pcap"), extraFields: ["hip.type"])
        for frame in frames where frame.protocols.last == "hip" {
            let hasHostID = frame.fields["hip.type"]?.contains(String(ParameterType.hostID)) == true
            #expect(frame.experts.map(\.message).sorted() == (hasHostID ? Self.expectedExperts.sorted() : []), "\(frame)")
            #expect(!frame.malformed)
        }
    }

    /// Expert infos tshark 4.0.17 gives on correct RFC 7401 fields, and why:
    /// - "Unknown algorithm type": its HOST_ID dissector follows RFC 5201 §5.2.8, where the Host Identity is
    ///   a DNSKEY RDATA (flags16 | protocol8 | algorithm8 | key). RFC 7401 §5.2.9 put a 16-bit Algorithm
    ///   field before the Host Identity instead, so tshark reads our Algorithm (5) and the RSA exponent
    ///   length as "flags 0x0005, protocol 3, algorithm 1" and warns about algorithm 1.
    /// - "Trailing stray characters": the same misreading shifts where it looks for the Domain Identifier,
    ///   so the NAI it prints is cut and it warns about the bytes left over.
    /// Other RFC 5201-isms that give no expert mark: HIP_SIGNATURE(_2)'s algorithm is read as 8 bits (shown
    /// as "0 (Reserved)" with a leading 05 in the signature); parameters it does not know are shown as
    /// "Unknown" (R1_COUNTER 129, DH_GROUP_LIST 511, REG_FAILED 936, TRANSPORT_FORMAT_LIST 2049, the RFC 9028
    /// parameters 4650–4710, FROM, RVS_HMAC, VIA_RVS) but still skipped by their Length.
    static let expectedExperts = ["Unknown algorithm type", "Trailing stray characters"]
}

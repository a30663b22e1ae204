// ESP against the cutehip run5 capture (Tests/Vectors/README.md §4.8, suite 8, keys from drawn_keys).
import HIPCrypto
import HIPWire
import SynapticDataPlane
import SynapticTestSupport
import Testing

@Suite("ESP known answers (cutehip run5)")
struct ESPVectorTests {
    struct Captured {
        let packet: [UInt8]       // as sent: SPI ‖ Seq ‖ IV ‖ ciphertext ‖ 32-byte ICV
        let keys: ESPKeys
        let payload: [UInt8]
        let nextHeader: UInt8
        let truncatedICV: [UInt8]
        let icvWithESN: [UInt8]
    }

    static func captured() throws -> [Captured] {
        let run5 = try Vectors.load()["run5"]
        let drawn = run5["drawn_keys"]["keys"]
        return try run5["esp_first_packets"].array.map { entry in
            let sa = try #require(entry["sa"].string)
            let prefix = sa == "SA-gl" ? "esp_gl" : "esp_lg"
            let encryption = try #require(drawn["\(prefix)_enc"]["hex"].bytes)
            let authentication = try #require(drawn["\(prefix)_auth"]["hex"].bytes)
            #expect(encryption == entry["enc_key_hex"].bytes)
            return Captured(packet: try #require(entry["esp_packet_hex"].bytes),
                            keys: ESPKeys(encryption: SecretBytes(encryption), authentication: SecretBytes(authentication)),
                            payload: try #require(entry["payload_hex"].bytes),
                            nextHeader: UInt8(try #require(entry["next_header"].int)),
                            truncatedICV: try #require(entry["icv_rfc4868_truncated_16_hex"].bytes),
                            icvWithESN: try #require(entry["icv_rfc4868_truncated_16_with_esn_high_bits_hex"].bytes))
        }
    }

    /// Opens `bytes` with a fresh opener; returns the payload and next header, or the error.
    static func open(_ bytes: [UInt8], keys: ESPKeys, suite: ESPSuiteID = .aes128CBCSHA256,
                     sequence: UInt64 = 1) throws -> ([UInt8], UInt8) {
        let opener = try ESPOpener(suite: suite, keys: keys)
        var buffer = bytes
        return try buffer.withUnsafeMutableBytes { raw in
            let opened = try opener.open(raw, sequence: sequence)
            return (Array(raw[opened.payloadOffset..<opened.payloadOffset + opened.payloadLength]), opened.nextHeader)
        }
    }

    @Test("both first packets decrypt to the exact inner payload and our ICV equals the ESN-appended vector ICV")
    func firstPacketsDecryptWithOurICV() throws {
        let packets = try Self.captured()
        #expect(packets.count == 2)
        for packet in packets {
            // cutehip sends the full 32-byte HMAC without the ESN bits; give it our 16-byte ICV instead.
            let body = Array(packet.packet.dropLast(32))
            let (payload, nextHeader) = try Self.open(body + packet.icvWithESN, keys: packet.keys)
            #expect(payload == packet.payload)
            #expect(nextHeader == packet.nextHeader)
            #expect(nextHeader == 58)
        }
    }

    @Test("the RFC 4868 truncation without ESN bits (what cutehip computes) does not verify")
    func cutehipICVWithoutESNFails() throws {
        for packet in try Self.captured() {
            let body = Array(packet.packet.dropLast(32))
            #expect(throws: ESPError.authenticationFailed) {
                try Self.open(body + packet.truncatedICV, keys: packet.keys)
            }
            #expect(throws: ESPError.authenticationFailed) {
                try Self.open(body + packet.icvWithESN, keys: packet.keys, sequence: 1 | 1 << 32)
            }
        }
    }

    @Test("the inbound processor turns each captured packet into an IPv6 packet between the HITs whose ICMPv6 checksum verifies")
    func inboundProcessorRebuildsCapturedPackets() throws {
        let run5 = try Vectors.load()["run5"]
        let hits = try ["ia1", "ia2"].map { name in
            let text = try #require(run5["hosts"][name]["hit"].string)
            return try #require(HIT(text))
        }
        for (entry, packet) in zip(run5["esp_first_packets"].array, try Self.captured()) {
            let receiverIsIA1 = entry["direction"].string == "ia2 -> ia1"
            let own = receiverIsIA1 ? hits[0] : hits[1], peer = receiverIsIA1 ? hits[1] : hits[0]
            let spi = try #require(entry["esp_packet_hex"].bytes).prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            let database = SADatabase()
            try database.installInbound(spi: spi, suite: .aes128CBCSHA256, keys: packet.keys,
                                        endpoints: SAEndpoints(ownHIT: own, peerHIT: peer))
            let processor = InboundProcessor(database: database, flows: LSIFlowTable())
            let esp = Array(packet.packet.dropLast(32)) + packet.icvWithESN
            let inner = try TestPackets.inBuffer(esp) { buffer, offset, length in
                let opened = try processor.process(buffer, offset: offset, length: length, hopLimit: 64)
                return Array(buffer[opened.offset..<opened.offset + opened.length])
            }
            #expect(inner == TestPackets.ipv6(peer, own, nextHeader: 58, segment: packet.payload, checksumOffset: nil))
            #expect(TestPackets.checksum(TestPackets.ipv6PseudoHeader(peer, own, length: packet.payload.count, nextHeader: 58),
                                         packet.payload) == 0)
            #expect(database.inbound(spi: spi)?.window.top == 1)
        }
    }
}

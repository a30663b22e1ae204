// UDP payload classification (zero marker, ESP SPI, RFC 3948 keepalive) and the ESP header.

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct DemuxTests {
    func classify(_ bytes: [UInt8]) -> UDPPayload { bytes.withUnsafeBytes { UDPPayload.classify($0) } }

    @Test func classification() throws {
        let hip = try Vectors.packet(run: "run5", label: "I1").bytes
        #expect(classify([0, 0, 0, 0] + hip) == .hip(offset: 4))
        #expect(classify([0, 0, 0, 0] + hip.prefix(39)) == .invalid)
        #expect(classify([0xFF]) == .natKeepalive)
        #expect(classify([0xFE]) == .invalid)
        #expect(classify([]) == .invalid)
        #expect(classify([0, 0, 0, 1, 0, 0, 0, 1]) == .esp(spi: 1))
        #expect(classify([0x6B, 0xBB, 0x3E, 0x92, 0, 0, 0, 1, 9]) == .esp(spi: 0x6BBB_3E92))
        #expect(classify([0x6B, 0xBB, 0x3E, 0x92, 0, 0, 0]) == .invalid)
        #expect(classify([0xFF, 0xFF]) == .invalid)
    }

    @Test func espHeaderFromTheCapture() throws {
        let esp = try #require(Vectors.load()["run5"]["esp_first_packets"][0]["esp_packet_hex"].bytes)
        let header = try esp.withUnsafeBytes { try ESPHeader($0) }
        #expect(header == ESPHeader(spi: 0x6BBB_3E92, sequence: 1))
        var out = [UInt8](repeating: 0, count: 8)
        try out.withUnsafeMutableBytes { try header.write(into: $0) }
        #expect(out == Array(esp.prefix(8)))
        #expect(throws: HIPWireError.truncated) { try [UInt8](repeating: 0, count: 7).withUnsafeBytes { try ESPHeader($0) } }
        var small = [UInt8](repeating: 0, count: 7)
        #expect(throws: HIPWireError.bufferTooSmall(needed: 8)) { try small.withUnsafeMutableBytes { try header.write(into: $0) } }
    }
}

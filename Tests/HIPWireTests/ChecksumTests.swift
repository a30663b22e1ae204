// HIP checksum: RFC 7401 Appendix C known answers, and every captured packet (IPv4 pseudo-header).

import HIPWire
import SynapticTestSupport
import Testing

@Suite struct ChecksumTests {
    /// The Appendix C I1 (checksum 0): HITs 2001:20::1 → ::2, DH_GROUP_LIST {3, 4, 8}.
    static let appendixCI1 = Hex.decode(
        "3b05012100000000200100200000000000000000000000012001002000000000000000000000000201ff000303040800")!

    @Test func appendixCInputIsOurSerialization() throws {
        let packet = HIPPacket(type: .i1, senderHIT: try #require(HIT("2001:20::1")),
                               receiverHIT: try #require(HIT("2001:20::2")),
                               parameters: [.dhGroupList([3, 4, 8])])
        #expect(packet.serialize() == Self.appendixCI1)
        let vectors = try Vectors.load()["rfc7401_appendix_c_checksums"]
        #expect(vectors["i1_packet_with_checksum_zero_hex"].bytes == Self.appendixCI1)
    }

    @Test func appendixC1IPv6() throws {
        let source = try #require(IPAddress("2001:db8::1")), destination = try #require(IPAddress("2001:db8::2"))
        #expect(HIPChecksum.compute(Self.appendixCI1, source: source, destination: destination) == 0x1A5E)
        let filled = try #require(Vectors.load()["rfc7401_appendix_c_checksums"]["C.1_ipv6"]["i1_with_checksum_hex"].bytes)
        #expect(HIPChecksum.verify(filled, source: source, destination: destination))
        var ours = Self.appendixCI1
        HIPChecksum.fill(&ours, source: source, destination: destination)
        #expect(ours == filled)
    }

    @Test func appendixC2IPv4() throws {
        let source = try #require(IPAddress("192.0.2.1")), destination = try #require(IPAddress("192.0.2.2"))
        #expect(source == .v4(0xC000_0201))
        #expect(HIPChecksum.compute(Self.appendixCI1, source: source, destination: destination) == 0xF1CE)
        let filled = try #require(Vectors.load()["rfc7401_appendix_c_checksums"]["C.2_ipv4"]["i1_with_checksum_hex"].bytes)
        #expect(HIPChecksum.verify(filled, source: source, destination: destination))
        #expect(!HIPChecksum.verify(filled, source: destination, destination: .v4(0xC000_0203)))
    }

    /// C.3: TCP SYN over HITs, with the same one's-complement routine and an IPv6 pseudo-header of HITs.
    @Test func appendixC3TCPOverHITs() throws {
        let tcp = try #require(Hex.decode("ffdc001600000001000000005002ffff00000000"))
        var sum = HIPChecksum.pseudoHeaderSum(source: try #require(IPAddress("2001:20::1")),
                                              destination: try #require(IPAddress("2001:20::2")),
                                              length: tcp.count, protocol: HIPProtocol.tcpProtocol)
        sum.add(tcp)
        #expect(sum.checksum == 0x6FAA)
        // The same from the explicit pseudo-header bytes in the vector file.
        let pseudo = try #require(Vectors.load()["rfc7401_appendix_c_checksums"]["C.3_tcp_over_hits"]["pseudo_header_hex"].bytes)
        #expect(InternetChecksum.checksum(pseudo, tcp) == 0x6FAA)
    }

    @Test func everyCapturedPacketVerifiesWithIPv4PseudoHeader() throws {
        let packets = try Vectors.capturedPackets()
        #expect(packets.count == 16)
        for packet in packets {
            #expect(HIPChecksum.verify(packet.bytes, source: packet.source, destination: packet.destination),
                    "\(packet)")
            // A wrong pseudo-header must not verify.
            #expect(!HIPChecksum.verify(packet.bytes, source: packet.destination, destination: packet.destination),
                    "\(packet)")
        }
    }

    /// Pieces of any length sum like one buffer (odd pieces shift the next one by a byte).
    @Test func piecewiseSumEqualsWholeSum() {
        var rng = SeededGenerator(seed: 7)
        for round in 0..<200 {
            // Random bytes, and all-ones runs (the most carries), in pieces of any parity and length.
            let length = Int.random(in: 0...3000, using: &rng)
            let data = round % 4 == 0 ? [UInt8](repeating: 0xFF, count: length) : rng.bytes(length)
            var whole = InternetChecksum()
            whole.add(data)
            var pieces = InternetChecksum()
            var index = 0
            while index < data.count {
                let step = Int.random(in: 1...40, using: &rng)
                pieces.add(data[index..<min(index + step, data.count)])
                index += step
            }
            #expect(pieces.checksum == whole.checksum)
            #expect(whole.checksum == referenceChecksum(data))
        }
    }

    /// RFC 1071 written the obvious way: 16-bit words, end-around carry.
    private func referenceChecksum(_ data: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index < data.count {
            let high = UInt32(data[index]) << 8
            let low = index + 1 < data.count ? UInt32(data[index + 1]) : 0
            sum += high | low
            sum = (sum & 0xFFFF) + (sum >> 16)
            index += 2
        }
        return ~UInt16(sum)
    }
}

// ESPSeeds: ESPInboundFuzzer's seed corpus, written by `ESPInboundFuzzer --write-seeds DIR` into
// Fuzz/corpus/ESPInboundFuzzer: sealed UDP, TCP and ICMPv6 segments on every suite (flows to odd ports go
// IPv4 on the SAs with LSIs), duplicates inside and across batches, a window that jumps, sequence numbers
// across the 2^32 boundary (ESN), unusual Next Headers, real ciphertext as raw datagrams (so mutations hit
// the ICV and the padding checks) and non-ESP datagrams.
import FuzzSupport

enum ESPSeeds {
    static func write(to directory: SeedDirectory) throws {
        for (name, records) in seeds { try directory.write(name, Record.encode(records)) }
    }

    private static let udp: UInt8 = 17, tcp: UInt8 = 6, icmpv6: UInt8 = 58
    private static let (nullSuite, suite8, suite9, gcm) = (0, 1, 2, 3)

    private static var seeds: [(String, [Record])] {
        [
            ("each-suite", (0..<FuzzedSA.all.count).flatMap { sa in
                [sealed(sa, 1, udp, udpSegment(from: 40000, to: 5001, payload: Array("odd port".utf8))),
                 sealed(sa, 2, udp, udpSegment(from: 40000, to: 5000, payload: Array("even port".utf8)))]
            }),
            ("lsi-tcp-flow", [
                sealed(gcm, 1, tcp, tcpSegment(from: 50000, to: 23, flags: 0x02)),
                sealed(gcm, 2, tcp, tcpSegment(from: 50000, to: 23, flags: 0x10)),
                sealed(gcm, 3, tcp, tcpSegment(from: 50001, to: 80, flags: 0x02)),
                sealed(gcm, 4, tcp, tcpSegment(from: 50001, to: 80, flags: 0x10)),
                sealed(suite8, 1, icmpv6, [128, 0, 0, 0, 0x12, 0x34, 0, 1] + Array("ping".utf8)),
            ]),
            ("replay", [
                sealed(gcm, 5, udp, udpSegment(from: 1, to: 3, payload: [1])),
                sealed(gcm, 5, udp, udpSegment(from: 1, to: 3, payload: [2])),
                sealed(gcm, 5, udp, udpSegment(from: 1, to: 3, payload: [3]), flags: InboundRun.aloneBit),
                sealed(gcm, 4, udp, udpSegment(from: 1, to: 3, payload: [4]), flags: InboundRun.endBatchBit),
                sealed(gcm, 4, udp, udpSegment(from: 1, to: 3, payload: [5])),
            ]),
            ("window", [
                sealed(suite8, 1, udp, udpSegment(from: 7, to: 9, payload: [])),
                sealed(suite8, 3000, udp, udpSegment(from: 7, to: 9, payload: []), flags: InboundRun.endBatchBit),
                sealed(suite8, 2, udp, udpSegment(from: 7, to: 9, payload: [])),
                sealed(suite8, 2999, udp, udpSegment(from: 7, to: 9, payload: [])),
                sealed(suite8, 3000, udp, udpSegment(from: 7, to: 9, payload: []), flags: InboundRun.aloneBit),
                sealed(suite9, 64, udp, udpSegment(from: 7, to: 9, payload: [])),
                sealed(suite9, 1, udp, udpSegment(from: 7, to: 9, payload: [])),
            ]),
            ("esn", [0xFFFF_FFF0, 0xFFFF_FFFF, 0x1_0000_0000, 0x1_0000_0002, 0x2_0000_0001].map { sequence in
                sealed(gcm, sequence, udp, udpSegment(from: 11, to: 13, payload: [UInt8](bigEndian: sequence)),
                       flags: InboundRun.endBatchBit)
            }),
            ("next-headers", [
                sealed(nullSuite, 1, 59, []),
                sealed(nullSuite, 2, 44, [17, 0, 0, 1, 0, 0, 0, 42]),
                sealed(nullSuite, 3, 0, [17, 0, 1, 4, 0, 0, 0, 0]),
                sealed(suite8, 1, icmpv6, [1, 4, 0, 0, 0, 0, 0, 0]),
                sealed(gcm, 1, udp, [0, 1, 0]),
            ]),
            ("large", [sealed(gcm, 1, udp, udpSegment(from: 4000, to: 4001, payload: (0..<1400).map { UInt8($0 & 0xFF) }))]),
            ("raw-ciphertext", (0..<FuzzedSA.all.count).flatMap { sa in
                let packet = ciphertext(sealed(sa, 7, udp, udpSegment(from: 5, to: 7, payload: Array("raw".utf8))))
                return [Record(header: 0, body: packet), Record(header: 0, body: packet.dropLast() + [packet.last! ^ 1])]
            }),
            ("not-esp", [
                Record(header: 0, body: [0xFF]),
                Record(header: 0, body: [0, 0, 0, 0, 0x3B, 0x04, 0x01, 0x11]),
                Record(header: 0, body: [UInt8](bigEndian: FuzzedSA.all[gcm].spi) + [0, 0, 0, 1]),
                Record(header: 0, body: [0, 0, 0x77, 0x77] + [UInt8](repeating: 0xAB, count: 40)),
            ]),
        ]
    }

    private static func sealed(_ sa: Int, _ sequence: UInt64, _ nextHeader: UInt8, _ segment: [UInt8],
                               flags: UInt8 = 0) -> Record {
        Record(header: InboundRun.sealedBit | UInt8(sa) << 1 | flags, body: [UInt8](bigEndian: sequence) + [nextHeader] + segment)
    }

    /// The ESP datagram a sealed record makes.
    private static func ciphertext(_ record: Record) -> [UInt8] {
        guard let datagram = Datagram(record) else { fatalError("seed datagram too long") }
        return Array(datagram.packet)
    }

    private static func udpSegment(from source: UInt16, to destination: UInt16, payload: [UInt8]) -> [UInt8] {
        [UInt8](bigEndian: source) + [UInt8](bigEndian: destination) + [UInt8](bigEndian: UInt16(8 + payload.count))
            + [0, 0] + payload
    }

    private static func tcpSegment(from source: UInt16, to destination: UInt16, flags: UInt8) -> [UInt8] {
        [UInt8](bigEndian: source) + [UInt8](bigEndian: destination) + [0, 0, 0, 1, 0, 0, 0, 0]
            + [5 << 4, flags, 0xFF, 0xFF, 0, 0, 0, 0]
    }
}

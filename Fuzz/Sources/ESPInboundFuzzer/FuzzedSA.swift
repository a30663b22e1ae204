// FuzzedSA: one of ESPInboundFuzzer's fixed SAs, one per ESP suite (NULL-SHA256, suite 8 AES-128-CBC with
// HMAC-SHA-256, suite 9, AES-128-GCM): SPI 0x1000 + suite, fixed keys, fixed HITs; suites 8 and 13 also
// with LSIs (so their inner packets may be translated to IPv4). `sealer` is the peer's outbound side of the
// SA (same suite and keys): the harness seals inner packets with it to get past the ICV.
import HIPCrypto
import HIPWire
import SynapticDataPlane

/// An SA's parameters and the sealer of its sending side.
struct FuzzedSA {
    let spi: UInt32
    let suite: ESPSuiteID
    let keys: ESPKeys
    let endpoints: SAEndpoints
    let sealer: ESPSealer

    /// The SAs, by the index a record's header names. The sealers are used by one thread (libFuzzer's).
    nonisolated(unsafe) static let all: [FuzzedSA] = ESPSuiteID.allCases.map { suite in
        let key = { (length: Int, salt: Int) in
            SecretBytes((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ salt &+ Int(suite.rawValue)) })
        }
        let keys = ESPKeys(encryption: key(suite.encryptionKeyLength, 1), authentication: key(suite.authenticationKeyLength, 2))
        let withLSIs = suite == .aes128CBCSHA256 || suite == .aesGCM16
        let endpoints = SAEndpoints(ownHIT: ownHIT, peerHIT: peerHIT, ownLSI: withLSIs ? ownLSI : nil,
                                    peerLSI: withLSIs ? peerLSI : nil)
        do {
            return FuzzedSA(spi: 0x1000 + UInt32(suite.rawValue), suite: suite, keys: keys, endpoints: endpoints,
                            sealer: try ESPSealer(suite: suite, keys: keys))
        } catch {
            fatalError("fixed keys for suite \(suite) refused: \(error)")
        }
    }

    static let ownHIT = HIT("2001:20::10")!
    static let peerHIT = HIT("2001:20::20")!
    /// 1.0.0.1 and 1.0.0.2 (host order).
    static let ownLSI: UInt32 = 0x0100_0001
    static let peerLSI: UInt32 = 0x0100_0002

    /// The length of the ESP packet that carries a `payloadLength`-byte segment on this SA.
    func packetLength(payloadLength: Int) -> Int { suite.packetLength(payloadLength: payloadLength) }

    /// Seals `segment` (Next Header `nextHeader`, sequence number `sequence`) into the ESP packet that starts
    /// at `packet`'s first byte; `packet` holds `packetLength(payloadLength: segment.count)` bytes or more.
    func seal(_ segment: [UInt8], nextHeader: UInt8, sequence: UInt64, into packet: UnsafeMutableRawBufferPointer) {
        let start = suite.headerLength
        UnsafeMutableRawBufferPointer(rebasing: packet[start..<start + segment.count]).copyBytes(from: segment)
        do {
            _ = try sealer.seal(packet, payloadLength: segment.count, nextHeader: nextHeader, spi: spi, sequence: sequence)
        } catch {
            fatalError("sealing \(segment.count) bytes on SPI \(spi) failed: \(error)")
        }
    }
}

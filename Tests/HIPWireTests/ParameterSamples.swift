// ParameterSamples: random values for every HIPParameter case (property-style tests, the tshark test).

import HIPWire
import SynapticTestSupport

enum ParameterSamples {
    /// Number of HIPParameter cases, `.unknown` included.
    static let caseCount = 44

    /// One random value of every case, in ascending type order. `maxBytes` bounds variable fields.
    static func all(using rng: inout SeededGenerator, maxBytes: Int = 64) -> [HIPParameter] {
        func bytes(_ range: ClosedRange<Int>) -> [UInt8] { rng.bytes(Int.random(in: range, using: &rng)) }
        func u8() -> UInt8 { UInt8.random(in: .min ... .max, using: &rng) }
        func u16() -> UInt16 { UInt16.random(in: .min ... .max, using: &rng) }
        func u32() -> UInt32 { UInt32.random(in: .min ... .max, using: &rng) }
        func list<T>(_ range: ClosedRange<Int>, _ item: () -> T) -> [T] {
            (0..<Int.random(in: range, using: &rng)).map { _ in item() }
        }
        func address() -> [UInt8] { rng.bytes(16) }
        func transport() -> TransportAddress { TransportAddress(port: u16(), proto: u8(), address: address()) }
        func locator() -> Locator {
            let kind: Locator.Address = switch Int.random(in: 0...3, using: &rng) {
            case 0: .address(address())
            case 1: .espAddress(spi: u32(), address: address())
            case 2: .transport(port: u16(), proto: u8(), kind: u8(), priority: u32(), spi: u32(), address: address())
            default: .unknown(locatorType: UInt8.random(in: 3...255, using: &rng), bytes: rng.bytes(4 * Int.random(in: 0...4, using: &rng)))
            }
            return Locator(trafficType: u8(), preferred: Bool.random(using: &rng), lifetime: u32(), address: kind)
        }
        let hashLength = [20, 32, 48].randomElement(using: &rng)!
        let random = rng.bytes(hashLength)
        let unknownType = UInt16.random(in: 8192...32767, using: &rng) & ~1   // reserved range, non-critical
        return [
            .espInfo(ESPInfo(keymatIndex: u16(), oldSPI: u32(), newSPI: u32())),
            .r1Counter(UInt64.random(in: .min ... .max, using: &rng)),
            .locatorSet(list(0...3, locator)),
            .puzzle(Puzzle(k: u8(), lifetime: u8(), opaque: u16(), random: random)),
            .solution(Solution(k: u8(), opaque: u16(), random: random, solution: rng.bytes(hashLength))),
            .seq(u32()),
            .ack(list(1...4, u32)),
            .dhGroupList(bytes(1...6)),
            .diffieHellman(DiffieHellmanValue(group: u8(), publicValue: bytes(1...maxBytes))),
            .hipCipher(list(1...6, u16)),
            .natTraversalMode(list(1...6, u16)),
            .transactionPacing(u32()),
            .encrypted(bytes(0...maxBytes)),
            .hostID(HostID(algorithm: u16(), hostIdentity: bytes(0...maxBytes),
                           diType: UInt8.random(in: 0...15, using: &rng), domainIdentifier: bytes(0...32))),
            .hitSuiteList(bytes(1...4)),
            .cert(Certificate(group: u8(), count: u8(), id: u8(), type: u8(), certificate: bytes(0...maxBytes))),
            .notification(Notification(type: u16(), data: bytes(0...16))),
            .echoRequestSigned(bytes(0...16)),
            .regInfo(RegInfo(minLifetime: u8(), maxLifetime: u8(), types: bytes(0...4))),
            .regRequest(RegRequest(lifetime: u8(), types: bytes(0...4))),
            .regResponse(RegResponse(lifetime: u8(), types: bytes(0...4))),
            .regFailed(RegFailed(failureType: u8(), types: bytes(0...4))),
            .regFrom(transport()),
            .echoResponseSigned(bytes(0...16)),
            .transportFormatList(list(1...3, u16)),
            .espTransform(list(1...6, u16)),
            .relayedAddress(transport()),
            .mappedAddress(transport()),
            .peerPermission(PeerPermission(relayPort: u16(), peerPort: u16(), proto: u8(), relayAddress: address(),
                                           peerAddress: address(), outboundSPI: u32(), inboundSPI: u32())),
            .candidatePriority(u32()),
            .nominate,
            .unknown(type: unknownType, contents: bytes(0...24)),
            .hipMAC(rng.bytes(hashLength)),
            .hipMAC2(rng.bytes(hashLength)),
            .hipSignature2(Signature(algorithm: u16(), signature: bytes(1...maxBytes))),
            .hipSignature(Signature(algorithm: u16(), signature: bytes(1...maxBytes))),
            .echoResponseUnsigned(bytes(0...16)),
            .echoRequestUnsigned(bytes(0...16)),
            .relayFrom(transport()),
            .relayTo(transport()),
            .from(address()),
            .rvsHMAC(rng.bytes(hashLength)),
            .viaRVS(list(1...3, address)),
            .relayHMAC(rng.bytes(hashLength)),
        ]
    }
}

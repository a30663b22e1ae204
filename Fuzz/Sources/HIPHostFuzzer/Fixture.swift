// Fixture: HIPHostFuzzer's fixed world, made once per process after libcrypto's RAND was made predictable
// (CDeterministicRandom), so it is the same in every run and a generated seed (an I2 answering the fuzzed
// host's R1) stays valid:
//   A, the fuzzed host: ECDSA P-256, a registrar for rendezvous and both relay types, ECDH groups only (an
//      input costs microseconds, not a MODP exponentiation), every peer allowed, SPIs from CountingSPIs;
//   the identities of its peers B (Ed25519) and C (ECDSA P-384), whose HIPHosts only the seed writer runs;
//   the addresses packets may come from and the clock steps a record may take.
import CDeterministicRandom
import HIPCore
import HIPCrypto
import HIPWire

enum Fixture {
    /// Where a record's packet comes from: an address and, over UDP, its port.
    struct Source: Equatable {
        let address: IPAddress
        let port: UInt16
    }

    static let start = Instant(nanoseconds: 1_000_000_000_000)
    /// A's addresses (packets from IPv6 sources arrive on the first, from IPv4 ones on the second).
    static let ownAddresses = [IPAddress("2001:db8:a::1")!, IPAddress("192.0.2.1")!, IPAddress("192.0.2.11")!]
    /// The sources a record header names (indices 0–5; 6 and 7 read an IPv6 or IPv4 source from the body):
    /// B and C over IPv6 and IPv4, B's second IPv4 address (after a move), a NAT's public address.
    static let sources = [Source(address: IPAddress("2001:db8:b::1")!, port: HIPProtocol.udpPort),
                          Source(address: IPAddress("192.0.2.2")!, port: HIPProtocol.udpPort),
                          Source(address: IPAddress("2001:db8:c::1")!, port: HIPProtocol.udpPort),
                          Source(address: IPAddress("192.0.2.3")!, port: HIPProtocol.udpPort),
                          Source(address: IPAddress("192.0.2.22")!, port: HIPProtocol.udpPort),
                          Source(address: IPAddress("198.51.100.1")!, port: 61000)]
    /// The clock steps a record header names (indices 0–6; 7 reads milliseconds from the body).
    static let steps: [Duration] = [.zero, .milliseconds(1), .milliseconds(50), .seconds(1), .seconds(5), .seconds(30),
                                    .seconds(200)]

    /// A's, B's and C's identities, each made from its own RAND stream.
    static let identities: [HostIdentity] = {
        guard fuzz_random_install(0) == 1 else { fatalError("cannot install the deterministic RAND") }
        return [(HostIdentityKind.ecdsaP256, UInt64(1)), (.ed25519, 2), (.ecdsaP384, 3)].map { kind, stream in
            _ = fuzz_random_exchange_state(stream)
            do {
                return try HostIdentity.generate(kind)
            } catch {
                fatalError("generating a \(kind) identity: \(error)")
            }
        }
    }()
    /// B's and C's HITs (the peers events name).
    static var peerHITs: [HIT] { identities.dropFirst().map(\.hit) }

    static let spis = CountingSPIs()

    /// A as it starts every input (a value: each input works on a copy).
    static let prototype: HIPHost = {
        let identity = identities[0]
        _ = fuzz_random_exchange_state(4)
        var settings = HostSettings()
        settings.dhGroups = [.nistP256, .nistP384]
        settings.registrar = HostSettings.Registrar(types: [RegistrationType.rendezvous, RegistrationType.relayUDPHIP,
                                                            RegistrationType.relayUDPESP])
        do {
            return try HIPHost(identity: identity, settings: settings, spis: spis, policy: AllowedPeers.anyone, now: start)
        } catch {
            fatalError("creating the fuzzed host: \(error)")
        }
    }()

    /// Restarts what A draws from during an input: its RAND stream and its SPI counter.
    static func restartInput() {
        _ = fuzz_random_exchange_state(5)
        spis.restart()
    }

    /// A's address that a packet from `source` arrives on (same family).
    static func ownAddress(facing source: IPAddress) -> IPAddress {
        source.isIPv4 ? ownAddresses[1] : ownAddresses[0]
    }
}

// SystemRandom (libsodium randombytes_buf) and the one-time libsodium initialisation.
import CSodium
import Testing
@testable import HIPCrypto

@Suite struct SystemRandomTests {
    /// Sodium.ready() has run sodium_init(): a second sodium_init() reports "already initialised" (1).
    @Test func libsodiumIsInitialisedOnce() {
        Sodium.ready()
        Sodium.ready()
        #expect(sodium_init() == 1)
    }

    @Test(arguments: [0, 1, 4, 16, 32, 257, 4096])
    func drawsHaveTheRequestedLength(count: Int) {
        #expect(SystemRandom.bytes(count).count == count)
    }

    /// SPI-sized (4 B) and key-sized (32 B) draws: none all zero, all distinct (a repeat among 256 draws of
    /// 4 B has probability about 8e-6; of 32 B, none), and the bits of a long draw are balanced.
    @Test func drawsAreNotZeroAndDiffer() {
        for count in [4, 32] {
            let draws = (0..<256).map { _ in SystemRandom.bytes(count) }
            #expect(!draws.contains([UInt8](repeating: 0, count: count)))
            #expect(Set(draws).count == draws.count, "\(count)-byte draws repeat")
        }
        let ones = SystemRandom.bytes(4096).reduce(0) { $0 + $1.nonzeroBitCount }
        let balanced: ClosedRange<Int> = 14_746...18_022   // 45 % to 55 % of 32,768 bits (about ±18 σ)
        #expect(balanced.contains(ones), "\(ones) of 32768 bits set")
    }
}

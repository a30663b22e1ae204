// SeededRandom: a reproducible RandomSource for tests (never for keys).
import HIPCore
import Synchronization
import SynapticTestSupport

final class SeededRandom: RandomSource {
    private let generator: Mutex<SeededGenerator>

    init(seed: UInt64) {
        generator = Mutex(SeededGenerator(seed: seed))
    }

    func bytes(_ count: Int) -> [UInt8] {
        generator.withLock { $0.bytes(count) }
    }
}

// swift-tools-version: 6.1
// libFuzzer harnesses for synaptic, one executable per target. Build and run them all with scripts/fuzz.sh:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz
// Seed corpora: Fuzz/corpus/<target>/ (committed); what the fuzzers find: Fuzz/corpus-run/<target>/.
import PackageDescription

let harness: [SwiftSetting] = [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "SynapticFuzz",
    dependencies: [.package(name: "synaptic", path: "..")],
    targets: [
        // C entry points that start libFuzzer's driver (see CFuzzerEntry.c for why SwiftPM needs them).
        .target(name: "CFuzzerEntry"),
        // A predictable libcrypto RAND, for harnesses whose inputs must match keys made at start-up.
        .target(name: "CDeterministicRandom", linkerSettings: [.linkedLibrary("crypto")]),
        // Input framing and seed writing shared by the stateful harnesses.
        .target(name: "FuzzSupport", swiftSettings: [.swiftLanguageMode(.v6)]),

        .executableTarget(
            name: "HIPWireFuzzer",
            dependencies: ["CFuzzerEntry", .product(name: "HIPWire", package: "synaptic")],
            swiftSettings: harness
        ),
        .executableTarget(
            name: "ESPInboundFuzzer",
            dependencies: ["CFuzzerEntry", "FuzzSupport",
                           .product(name: "SynapticDataPlane", package: "synaptic"),
                           .product(name: "HIPCrypto", package: "synaptic"),
                           .product(name: "HIPWire", package: "synaptic")],
            swiftSettings: harness
        ),
        .executableTarget(
            name: "HIPHostFuzzer",
            dependencies: ["CFuzzerEntry", "CDeterministicRandom", "FuzzSupport",
                           .product(name: "HIPCore", package: "synaptic"),
                           .product(name: "HIPCrypto", package: "synaptic"),
                           .product(name: "HIPWire", package: "synaptic")],
            swiftSettings: harness
        ),
        .executableTarget(
            name: "ConfigFuzzer",
            dependencies: ["CFuzzerEntry", "FuzzSupport",
                           .product(name: "SynapticConfig", package: "synaptic"),
                           .product(name: "SynapticNode", package: "synaptic"),
                           .product(name: "HIPCrypto", package: "synaptic")],
            swiftSettings: harness
        ),
        .executableTarget(
            name: "OffloadFuzzer",
            dependencies: ["CFuzzerEntry", .product(name: "SynapticDataPlane", package: "synaptic")],
            swiftSettings: harness
        ),
    ]
)

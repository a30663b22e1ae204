// swift-tools-version: 6.1
// libFuzzer harnesses: HIPWireFuzzer (the HIPWire parser; built and run by scripts/fuzz.sh) and
// OffloadFuzzer (SuperPacket and TCPCoalescer; see its file for the commands). scripts/fuzz.sh builds with:
//   swift build -c release -Xswiftc -sanitize=fuzzer,address --package-path Fuzz
import PackageDescription

let package = Package(
    name: "SynapticFuzz",
    dependencies: [.package(name: "synaptic", path: "..")],
    targets: [
        // C entry point that starts libFuzzer's driver (see its comment for why SwiftPM needs it).
        .target(name: "CFuzzerEntry"),
        .executableTarget(
            name: "HIPWireFuzzer",
            dependencies: ["CFuzzerEntry", .product(name: "HIPWire", package: "synaptic")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        ),
        // SuperPacket and TCPCoalescer (TUN offloads); seeds in Fuzz/corpus/OffloadFuzzer/.
        .executableTarget(
            name: "OffloadFuzzer",
            dependencies: ["CFuzzerEntry", .product(name: "SynapticDataPlane", package: "synaptic")],
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        ),
    ]
)

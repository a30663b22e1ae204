// swift-tools-version: 6.1
// libFuzzer harness for the HIPWire parser. Build and run with scripts/fuzz.sh:
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
    ]
)

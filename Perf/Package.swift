// swift-tools-version: 6.1
// Benchmarks for synaptic (package-benchmark): CPU time and mallocs per operation.
// Run: scripts/perf.sh   (or: cd Perf && swift package benchmark)
import PackageDescription

let package = Package(
    name: "synaptic-perf",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "synaptic", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HIPWire", package: "synaptic"),
                .product(name: "HIPCrypto", package: "synaptic"),
                .product(name: "HIPCore", package: "synaptic"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "DataPlaneBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HIPWire", package: "synaptic"),
                .product(name: "HIPCrypto", package: "synaptic"),
                .product(name: "SynapticDataPlane", package: "synaptic"),
            ],
            path: "Benchmarks/DataPlaneBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // libcrypto and libsodium called directly, side by side (HIPCrypto does not export its C modules).
        .systemLibrary(name: "CCryptoProviders", path: "Benchmarks/CCryptoProviders"),
        .executableTarget(
            name: "CryptoProviders",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HIPCrypto", package: "synaptic"),
                "CCryptoProviders",
            ],
            path: "Benchmarks/CryptoProviders",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)

// swift-tools-version: 6.1
// synaptic: HIPv2 (RFC 7401) hosts with a userspace ESP-over-UDP data plane.
// Target layout and import rules: see README.md "Reading the code" and docs/ARCHITECTURE notes.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "synaptic",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "synaptic", targets: ["synaptic"]),
        .library(name: "HIPWire", targets: ["HIPWire"]),
        .library(name: "HIPCrypto", targets: ["HIPCrypto"]),
        .library(name: "HIPCore", targets: ["HIPCore"]),
        .library(name: "SynapticConfig", targets: ["SynapticConfig"]),
        .library(name: "SynapticDataPlane", targets: ["SynapticDataPlane"]),
        .library(name: "SynapticNode", targets: ["SynapticNode"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries (apt: libssl-dev, libsodium-dev; found with pkg-config).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // The few C helpers Swift cannot express (mmsghdr, CMSG, TUN ioctls).
        .target(name: "CSynapticShims"),

        // Protocol core: no I/O, no clock.
        .target(name: "HIPWire", swiftSettings: strict),
        .target(name: "HIPCrypto", dependencies: ["HIPWire", "COpenSSL", "CSodium"], swiftSettings: strict),
        .target(name: "HIPCore", dependencies: ["HIPWire", "HIPCrypto"], swiftSettings: strict),

        // Shell.
        .target(name: "SynapticConfig", dependencies: [.product(name: "TOMLKit", package: "TOMLKit")],
                swiftSettings: strict),
        .target(name: "SynapticPlatform", dependencies: ["CSynapticShims"], swiftSettings: strict),
        .target(name: "SynapticDataPlane", dependencies: ["HIPWire", "HIPCrypto"], swiftSettings: strict),
        .target(name: "SynapticNode",
                dependencies: ["HIPWire", "HIPCrypto", "HIPCore", "SynapticConfig", "SynapticPlatform",
                               "SynapticDataPlane", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .executableTarget(name: "synaptic",
                          dependencies: ["SynapticNode", "SynapticConfig", "SynapticPlatform", "HIPCrypto", "HIPWire",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),

        // Shared by the test targets only: vector loading, pcap writing, tshark and network-namespace helpers,
        // datagram batches backed by PacketBatch memory.
        .target(name: "SynapticTestSupport", dependencies: ["HIPWire", "CSynapticShims", "SynapticPlatform", "SynapticDataPlane"],
                swiftSettings: strict),

        .testTarget(name: "HIPWireTests", dependencies: ["HIPWire", "SynapticTestSupport"],
                    swiftSettings: strict),
        // COpenSSL: libcrypto's Ed25519 to check HIPCrypto's libsodium one against; CSodium: sodium_init's state.
        .testTarget(name: "HIPCryptoTests", dependencies: ["SynapticTestSupport", "HIPCrypto", "HIPWire", "COpenSSL", "CSodium"],
                    swiftSettings: strict),
        .testTarget(name: "HIPCoreTests", dependencies: ["SynapticTestSupport", "HIPCore", "HIPWire", "HIPCrypto"], swiftSettings: strict),
        .testTarget(name: "SynapticConfigTests", dependencies: ["SynapticTestSupport", "SynapticConfig"], swiftSettings: strict),
        .testTarget(name: "SynapticPlatformTests", dependencies: ["SynapticTestSupport", "SynapticPlatform", "SynapticDataPlane",
                                                               "CSynapticShims"],
                    swiftSettings: strict),
        .testTarget(name: "SynapticDataPlaneTests", dependencies: ["SynapticTestSupport", "SynapticDataPlane", "HIPCrypto", "HIPWire"],
                    swiftSettings: strict),
        .testTarget(name: "SynapticNodeTests",
                    dependencies: ["SynapticTestSupport", "SynapticNode", "SynapticConfig", "SynapticPlatform",
                                   "SynapticDataPlane", "HIPCore", "HIPCrypto", "HIPWire", "CSynapticShims"],
                    swiftSettings: strict),
    ]
)

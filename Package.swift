// swift-tools-version:6.2
//
// EQM: privacy-preserving federated learning for wearable emotion and stress recognition.
// The module graph runs one way only:
//   EQMCrypto ← EQMCore ← EQMProtocols ← EQMCompliance ← {EQMCoordinator, EQMClient} ← eqm
// See README.md and ../shared/DESIGN.md for the map.

import PackageDescription

// The training core's hot loops are SIMD code: always optimise it (debug builds of generic SIMD
// code are ~50× slower, which would make the training tests crawl), and on x86-64 let the
// compiler use AVX2 and fused multiply-add (every x86-64 CPU since 2013-2015). Set EQM_PORTABLE=1
// to build for any x86-64 CPU (SSE2 only; slower).
var coreSettings: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
#if arch(x86_64)
    if Context.environment["EQM_PORTABLE"] == nil {
        coreSettings += [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma"]), .define("EQM_FMA")]
    }
#endif

let package = Package(
    name: "EQM",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eqm", targets: ["eqm"]),
        .library(name: "EQMCore", targets: ["EQMCore"]),
        .library(name: "EQMClient", targets: ["EQMClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2")
    ],
    targets: [
        // MARK: C libraries (only their wrapper modules import them)
        .systemLibrary(
            name: "CSodium",
            path: "Sources/CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),

        // MARK: Libraries
        .target(name: "EQMCrypto", dependencies: ["CSodium"], path: "Sources/EQMCrypto"),
        .target(name: "EQMCore", dependencies: ["EQMCrypto"], path: "Sources/EQMCore", swiftSettings: coreSettings),
        .target(name: "EQMProtocols", dependencies: ["EQMCore", "EQMCrypto"], path: "Protocols"),
        .target(name: "EQMCompliance", dependencies: ["EQMProtocols", "EQMCore"], path: "Compliance"),
        .target(
            name: "EQMCoordinator",
            dependencies: ["EQMCompliance", "EQMProtocols", "EQMCore", "CLibPQ"],
            path: "Coordinator"
        ),
        .target(name: "EQMClient", dependencies: ["EQMCompliance", "EQMProtocols", "EQMCore"], path: "Client"),

        // MARK: Command line
        .executableTarget(
            name: "eqm",
            dependencies: [
                "EQMCore", "EQMCrypto", "EQMProtocols", "EQMCompliance", "EQMCoordinator", "EQMClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/eqm"
        ),

        // MARK: Tests (one target per module, plus shared support)
        .target(name: "EQMTestSupport", dependencies: ["EQMCore"], path: "Tests/EQMTestSupport"),
        .testTarget(name: "EQMCryptoTests", dependencies: ["EQMCrypto"], path: "Tests/EQMCryptoTests"),
        .testTarget(name: "EQMCoreTests", dependencies: ["EQMCore", "EQMCrypto", "EQMTestSupport"], path: "Tests/EQMCoreTests"),
        .testTarget(name: "EQMProtocolsTests", dependencies: ["EQMProtocols"], path: "Tests/EQMProtocolsTests"),
        .testTarget(name: "EQMComplianceTests", dependencies: ["EQMCompliance"], path: "Tests/EQMComplianceTests"),
        .testTarget(name: "EQMCoordinatorTests", dependencies: ["EQMCoordinator"], path: "Tests/EQMCoordinatorTests"),
        .testTarget(name: "EQMClientTests", dependencies: ["EQMClient"], path: "Tests/EQMClientTests"),
        .testTarget(
            name: "EQMCLITests", dependencies: ["eqm", "EQMCore", "EQMCompliance", "EQMCrypto"], path: "Tests/EQMCLITests"),
    ],
    swiftLanguageModes: [.v6]
)

// Upcoming features on every Swift target, in one place (as swift-nio does).
for target in package.targets {
    switch target.type {
    case .regular, .test, .executable:
        var settings = target.swiftSettings ?? []
        settings.append(.enableUpcomingFeature("ExistentialAny"))
        settings.append(.enableUpcomingFeature("MemberImportVisibility"))
        settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
        target.swiftSettings = settings
    case .macro, .plugin, .system, .binary:
        ()
    @unknown default:
        ()
    }
}

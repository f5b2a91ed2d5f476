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
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
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
        .target(name: "EQMProtocols", dependencies: ["EQMCore", "EQMCrypto"], path: "Protocols", exclude: ["API"]),
        .target(name: "EQMCompliance", dependencies: ["EQMProtocols", "EQMCore"], path: "Compliance"),
        // The REST API's bodies, shared by the coordinator and the client.
        .target(name: "EQMAPI", dependencies: ["EQMCompliance", "EQMProtocols", "EQMCore"], path: "Protocols/API"),
        // The coordinator's storage: one SQL protocol over SQLite (GRDB) and PostgreSQL (libpq).
        .target(
            name: "EQMStorage",
            dependencies: [
                "EQMAPI", "EQMCompliance", "EQMProtocols", "EQMCore", "EQMCrypto", "CLibPQ",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Coordinator/Storage"
        ),
        .target(
            name: "EQMCoordinator",
            dependencies: [
                "EQMAPI", "EQMStorage", "EQMCompliance", "EQMProtocols", "EQMCore", "EQMCrypto",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Coordinator",
            exclude: ["Storage"]
        ),
        .target(
            name: "EQMClient",
            dependencies: [
                "EQMAPI", "EQMCompliance", "EQMProtocols", "EQMCore", "EQMCrypto",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Client"
        ),

        // MARK: Command line
        .executableTarget(
            name: "eqm",
            dependencies: [
                "EQMCore", "EQMCrypto", "EQMProtocols", "EQMCompliance", "EQMAPI", "EQMCoordinator", "EQMStorage", "EQMClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/eqm"
        ),

        // MARK: Tests (one target per module, plus shared support)
        .target(name: "EQMTestSupport", dependencies: ["EQMCore"], path: "Tests/EQMTestSupport"),
        .testTarget(name: "EQMCryptoTests", dependencies: ["EQMCrypto"], path: "Tests/EQMCryptoTests"),
        .testTarget(name: "EQMCoreTests", dependencies: ["EQMCore", "EQMCrypto", "EQMTestSupport"], path: "Tests/EQMCoreTests"),
        .testTarget(name: "EQMProtocolsTests", dependencies: ["EQMProtocols"], path: "Tests/EQMProtocolsTests"),
        .testTarget(name: "EQMComplianceTests", dependencies: ["EQMCompliance"], path: "Tests/EQMComplianceTests"),
        .testTarget(name: "EQMAPITests", dependencies: ["EQMAPI", "EQMCore", "EQMProtocols"], path: "Tests/EQMAPITests"),
        .testTarget(
            name: "EQMStorageTests", dependencies: ["EQMStorage", "EQMCompliance", "EQMCrypto"], path: "Tests/EQMStorageTests"),
        .testTarget(
            name: "EQMCoordinatorTests",
            dependencies: [
                "EQMCoordinator", "EQMAPI", "EQMStorage", "EQMClient", "EQMCompliance", "EQMProtocols", "EQMCore", "EQMCrypto",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tests/EQMCoordinatorTests"
        ),
        .testTarget(name: "EQMClientTests", dependencies: ["EQMClient"], path: "Tests/EQMClientTests"),
        .testTarget(
            name: "EQMCLITests",
            dependencies: [
                "eqm", "EQMCore", "EQMCompliance", "EQMCrypto", "EQMAPI", "EQMClient",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            path: "Tests/EQMCLITests"),
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

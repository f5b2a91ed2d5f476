import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
public import Logging
import NIOSSL
public import ServiceLifecycle

/// Assembles the running service: the store, the identity, the HTTP/WebSocket application, the
/// round driver and the retention sweeper, under one swift-service-lifecycle group that shuts
/// down gracefully on SIGTERM/SIGINT.
public struct CoordinatorServer: Sendable {
    /// The shared state.
    public let coordinator: Coordinator
    /// The round driver.
    public let driver: RoundDriver

    /// Opens the store (running migrations) and loads or creates the key file.
    ///
    /// - Returns: the server and, on first start, the admin token to print once.
    public static func open(
        configuration: CoordinatorConfiguration, logger: Logger, metrics: CoordinatorMetrics = CoordinatorMetrics()
    ) async throws -> (CoordinatorServer, String?) {
        try configuration.validate()
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let (identity, created) = try CoordinatorIdentity.loadOrCreate(at: URL(fileURLWithPath: configuration.keyFilePath))
        if created { logger.notice("created the coordinator key file", metadata: ["path": "\(configuration.keyFilePath)"]) }
        let store: CoordinatorStore
        do { store = try CoordinatorStore.open(url: configuration.databaseURL) } catch {
            throw CoordinatorError(.configuration, "cannot open the database: \(error)")
        }
        let coordinator = Coordinator(
            configuration: configuration, store: store, identity: identity, logger: logger, metrics: metrics)
        let adminToken = try await coordinator.bootstrapAdminToken()
        return (CoordinatorServer(coordinator: coordinator, driver: RoundDriver(coordinator: coordinator)), adminToken)
    }

    /// Wraps an existing coordinator (tests).
    public init(coordinator: Coordinator, driver: RoundDriver) {
        self.coordinator = coordinator
        self.driver = driver
    }

    /// The Hummingbird application: routes, WebSocket upgrades, optional TLS, and the round
    /// driver and retention sweeper as services. `onServerRunning` receives the bound port.
    public func application(
        runDriver: Bool = true, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let configuration = coordinator.configuration
        let router = CoordinatorAPI(coordinator: coordinator).router()
        var services: [any Service] = [RetentionService(coordinator: coordinator)]
        if runDriver { services.append(driver) }
        let http = HTTPServerBuilder.http1WebSocketUpgrade(
            webSocketRouter: router, configuration: .init(maxFrameSize: 1 << 16))
        let server: HTTPServerBuilder
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .file(key))
            server = try .tls(http, tlsConfiguration: tls)
        } else {
            server = http
        }
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "eqm-coordinator"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: coordinator.logger)
    }
}

/// Runs the retention sweeper periodically (and once at start).
struct RetentionService: Service {
    let coordinator: Coordinator

    func run() async throws {
        let interval = coordinator.configuration.retentionInterval
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await coordinator.sweepRetention()
                let total = report.deleted.values.reduce(0, +)
                if total > 0 { coordinator.logger.info("retention sweep", metadata: ["deleted": "\(total)"]) }
            } catch {
                coordinator.logger.error("retention sweep failed", metadata: ["error": "\(error)"])
            }
            // Graceful shutdown cancels the wait.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }
}

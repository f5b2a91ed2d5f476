import ArgumentParser
import EQMCoordinator
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator server.",
        subcommands: [CoordinatorServeCommand.self]
    )
}

struct CoordinatorServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the coordinator API, drive rounds, sweep retention.",
        discussion: """
            Configuration comes from --config FILE (JSON), then EQM_COORDINATOR_* environment variables, then flags. \
            With no --database everything is stored in an embedded SQLite database under --data-dir. \
            On first start an admin token is printed once; only its hash is stored.
            """
    )

    @Option(help: "JSON configuration file.") var config: String?
    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "TCP port (default 8740; 0 picks a free port).") var port: Int?
    @Option(name: .customLong("data-dir"), help: "Data folder (default ./eqm-data).") var dataDirectory: String?
    @Option(help: "postgres://… for PostgreSQL; default: SQLite in the data folder.") var database: String?
    @Option(name: .customLong("key-file"), help: "Coordinator key file (default DATA_DIR/coordinator.key).") var keyFile: String?
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain for TLS.") var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for TLS.") var tlsKey: String?
    @Option(name: .customLong("replica-name"), help: "This replica's name in logs and leadership.") var replicaName: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.") var logLevel: String?
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile: String?

    func run() async throws {
        var settings = CoordinatorConfiguration()
        let loaded = Result { () throws(CoordinatorError) in
            if let config { settings = try CoordinatorConfiguration.load(file: config) }
            try settings.applyEnvironment()
        }
        if case .failure(let error) = loaded { throw CommandFailure(error.message) }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let dataDirectory { settings.dataDirectory = dataDirectory }
        if let database { settings.database = database }
        if let keyFile { settings.keyFile = keyFile }
        if let tlsCertificate { settings.tlsCertificate = tlsCertificate }
        if let tlsKey { settings.tlsKey = tlsKey }
        if let replicaName { settings.replicaName = replicaName }
        if let logLevel { settings.logLevel = logLevel }

        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "eqm.coordinator")
        let metrics = CoordinatorMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))

        let opened = await Result(catching: {
            try await CoordinatorServer.open(configuration: settings, logger: logger, metrics: metrics)
        })
        let (server, adminToken) = try opened.mapError { error in
            CommandFailure((error as? CoordinatorError)?.message ?? "cannot start the coordinator: \(error)")
        }.get()
        if let adminToken {
            FileHandle.standardError.write(
                Data(
                    """
                    ────────────────────────────────────────────────────────────
                    Admin token (shown once; only its hash is stored):
                    \(adminToken)
                    ────────────────────────────────────────────────────────────

                    """.utf8))
        }
        let portFile = self.portFile
        let host = settings.host
        let app = try server.application { port in
            logger.notice("coordinator listening", metadata: ["host": "\(host)", "port": "\(port)"])
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
        // Graceful shutdown on SIGTERM/SIGINT: the round in progress is aborted cleanly and the
        // connections close. Anything still running after 15 s is cancelled (its writes are
        // transactions), so the coordinator always stops within a process supervisor's grace period.
        var group = ServiceGroupConfiguration(
            services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(15)
        try await ServiceGroup(configuration: group).run()
    }
}

extension Result where Failure == any Error {
    /// Catches an async throwing body's error into a result.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

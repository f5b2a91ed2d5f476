import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import Foundation
import HTTPTypes
import Logging

/// Everything `eqm coordinator serve` needs; read from a JSON file, then `EQM_COORDINATOR_*`
/// environment variables, then flags (later sources win).
public struct CoordinatorConfiguration: Codable, Sendable, Hashable {
    /// The address to listen on (loopback by default).
    public var host = "127.0.0.1"
    /// The TCP port (0 picks a free one).
    public var port = 8740
    /// Where the embedded database, key file and logs live.
    public var dataDirectory = "./eqm-data"
    /// `postgres://…` for PostgreSQL; nil for the embedded SQLite database in the data directory.
    public var database: String?
    /// The key file; nil for `coordinator.key` in the data directory.
    public var keyFile: String?
    /// PEM certificate chain and key for TLS; both or neither.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The replica's name in leadership records and logs.
    public var replicaName = "replica-\(ProcessInfo.processInfo.processIdentifier)"
    /// How often the round driver looks at the campaigns (seconds).
    public var tickInterval = 0.2
    /// How often the retention sweeper runs (seconds).
    public var retentionInterval = 3600.0
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel = "info"

    /// The defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, database
        case dataDirectory = "data_dir"
        case keyFile = "key_file"
        case tlsCertificate = "tls_cert"
        case tlsKey = "tls_key"
        case replicaName = "replica_name"
        case tickInterval = "tick_interval"
        case retentionInterval = "retention_interval"
        case logLevel = "log_level"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var value = CoordinatorConfiguration()
        value.host = try container.decodeIfPresent(String.self, forKey: .host) ?? value.host
        value.port = try container.decodeIfPresent(Int.self, forKey: .port) ?? value.port
        value.dataDirectory = try container.decodeIfPresent(String.self, forKey: .dataDirectory) ?? value.dataDirectory
        value.database = try container.decodeIfPresent(String.self, forKey: .database)
        value.keyFile = try container.decodeIfPresent(String.self, forKey: .keyFile)
        value.tlsCertificate = try container.decodeIfPresent(String.self, forKey: .tlsCertificate)
        value.tlsKey = try container.decodeIfPresent(String.self, forKey: .tlsKey)
        value.replicaName = try container.decodeIfPresent(String.self, forKey: .replicaName) ?? value.replicaName
        value.tickInterval = try container.decodeIfPresent(Double.self, forKey: .tickInterval) ?? value.tickInterval
        value.retentionInterval =
            try container.decodeIfPresent(Double.self, forKey: .retentionInterval) ?? value.retentionInterval
        value.logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? value.logLevel
        self = value
    }

    /// Reads a JSON configuration file (unknown keys are refused, so a typo is not silently ignored).
    public static func load(file: String) throws(CoordinatorError) -> CoordinatorConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CoordinatorError(.configuration, "cannot read the configuration file \(file)")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CoordinatorError(.configuration, "\(file) is not a JSON object")
        }
        let known = Set(
            [
                "host", "port", "database", "data_dir", "key_file", "tls_cert", "tls_key", "replica_name", "tick_interval",
                "retention_interval", "log_level",
            ])
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw CoordinatorError(
                .configuration, "\(file): unknown key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        do { return try JSONDecoder().decode(CoordinatorConfiguration.self, from: data) } catch {
            throw CoordinatorError(.configuration, "\(file): \(error)")
        }
    }

    /// Applies `EQM_COORDINATOR_HOST`, `_PORT`, `_DATA_DIR`, `_DATABASE`, `_KEY_FILE`, `_TLS_CERT`,
    /// `_TLS_KEY`, `_REPLICA_NAME`, `_LOG_LEVEL`.
    public mutating func applyEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(CoordinatorError)
    {
        func value(_ name: String) -> String? { environment["EQM_COORDINATOR_\(name)"].flatMap { $0.isEmpty ? nil : $0 } }
        if let host = value("HOST") { self.host = host }
        if let port = value("PORT") {
            guard let number = Int(port) else {
                throw CoordinatorError(.configuration, "EQM_COORDINATOR_PORT must be a number, found '\(port)'")
            }
            self.port = number
        }
        if let directory = value("DATA_DIR") { dataDirectory = directory }
        if let database = value("DATABASE") { self.database = database }
        if let keyFile = value("KEY_FILE") { self.keyFile = keyFile }
        if let certificate = value("TLS_CERT") { tlsCertificate = certificate }
        if let key = value("TLS_KEY") { tlsKey = key }
        if let name = value("REPLICA_NAME") { replicaName = name }
        if let level = value("LOG_LEVEL") { logLevel = level }
    }

    /// Checks ranges and pairs.
    public func validate() throws(CoordinatorError) {
        guard (0...65535).contains(port) else {
            throw CoordinatorError(.configuration, "port must be in 0...65535, found \(port)")
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw CoordinatorError(.configuration, "TLS needs both --tls-cert and --tls-key")
        }
        guard tickInterval > 0, tickInterval <= 60 else {
            throw CoordinatorError(.configuration, "tick interval must be in (0, 60] seconds, found \(tickInterval)")
        }
        if let database,
            !(database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") || database.hasPrefix("sqlite:"))
        {
            throw CoordinatorError(.configuration, "--database takes postgres://…, postgresql://… or sqlite:PATH")
        }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw CoordinatorError(.configuration, "unknown log level '\(logLevel)'")
        }
    }

    /// The database URL the store opens.
    public var databaseURL: String { database ?? "sqlite:\(dataDirectory)/coordinator.sqlite" }
    /// The key file path.
    public var keyFilePath: String { keyFile ?? "\(dataDirectory)/coordinator.key" }
}

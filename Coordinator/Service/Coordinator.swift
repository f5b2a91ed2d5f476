import EQMAPI
public import EQMCompliance
import EQMCore
public import EQMCrypto
import EQMProtocols
public import EQMStorage
public import Foundation
import HTTPTypes
public import Logging
import NIOPosix

/// The coordinator's state shared by the API, the round driver and the sweeper: the store, the
/// identity, metrics and the event hub. Every database call runs on NIO's blocking thread pool,
/// never on Swift's cooperative pool.
public final class Coordinator: Sendable {
    /// The configuration it was started with.
    public let configuration: CoordinatorConfiguration
    /// The database.
    public let store: CoordinatorStore
    /// The long-term keys.
    public let identity: CoordinatorIdentity
    /// Structured logs (never tokens, keys or personal data).
    public let logger: Logger
    /// Prometheus metrics.
    public let metrics: CoordinatorMetrics
    /// Round events for `/v1/events`.
    public let events: EventHub
    /// Encoded model releases recently served.
    let modelResponses = ModelResponseCache()
    /// The current time as Unix seconds (tests may shift it).
    let now: @Sendable () -> Double

    /// Creates a coordinator over an open store.
    public init(
        configuration: CoordinatorConfiguration, store: CoordinatorStore, identity: CoordinatorIdentity,
        logger: Logger = Logger(label: "eqm.coordinator"), metrics: CoordinatorMetrics = CoordinatorMetrics(),
        now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.configuration = configuration
        self.store = store
        self.identity = identity
        self.logger = logger
        self.metrics = metrics
        self.events = EventHub()
        self.now = now
    }

    /// Runs `body` in one write transaction on the blocking pool.
    public func write<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let store = self.store
        return try await NIOThreadPool.singleton.runIfActive { try store.write(body) }
    }

    /// Runs `body` in one read transaction on the blocking pool.
    public func read<T: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> T) async throws -> T {
        let store = self.store
        return try await NIOThreadPool.singleton.runIfActive { try store.read(body) }
    }

    /// The audit trail inside a transaction.
    func auditTrail(_ tx: StoreTransaction) -> AuditTrail {
        AuditTrail(store: tx.chain("audit"), signer: identity.signingKey, checkpointInterval: 100)
    }

    /// Appends an audit event inside a transaction.
    func audit(
        _ tx: StoreTransaction, actor: String, action: AuditEvent.Action, subject: String? = nil, details: [String: String] = [:]
    ) throws {
        try auditTrail(tx).record(
            AuditEvent(
                time: AuditTrail.timestamp(Date(timeIntervalSince1970: now())), actor: actor, action: action, subject: subject,
                details: details))
    }

    /// ISO-8601 of the current time.
    var timestamp: String { AuditTrail.timestamp(Date(timeIntervalSince1970: now())) }
}

public import EQMCompliance
import Foundation

/// The coordinator's durable state over any ``SQLDatabase``: tokens, nodes, consent, campaigns,
/// rounds, models, evaluations, the hash chains and erasure tombstones.
///
/// Every method is synchronous and blocking (run it on `NIOThreadPool` in the server). Work
/// happens in ``write(_:)`` or ``read(_:)`` closures, whose ``StoreTransaction`` carries every
/// operation, so several writes commit together or not at all:
///
/// ```swift
/// try store.write { tx in
///     try tx.insertModelVersion(version)
///     var round = try #require(try tx.round(campaign: "c", round: 3))
///     round.status = "committed"
///     try tx.updateRound(round)
/// }
/// ```
public final class CoordinatorStore: Sendable {
    /// The database underneath.
    public let database: any SQLDatabase

    /// The schema's migrator.
    public static let migrator: SQLMigrator = {
        do { return try SQLMigrator(migrations: CoordinatorSchema.migrations) } catch {
            preconditionFailure("the coordinator's migrations are out of order: \(error)")
        }
    }()

    /// The SQLite file used when no URL is configured.
    public static let defaultPath = "eqm-data/coordinator/coordinator.sqlite"

    /// Wraps a database, applying missing migrations first unless `migrate` is false.
    public init(database: any SQLDatabase, migrate: Bool = true) throws {
        self.database = database
        if migrate { try self.migrate() }
    }

    /// Opens the store a URL names, and migrates it.
    ///
    /// - nil: SQLite at ``defaultPath``;
    /// - `sqlite:PATH` (or `sqlite://PATH`): SQLite at PATH, creating parent folders;
    ///   `sqlite::memory:` is a private in-memory database;
    /// - `postgres://…` or `postgresql://…`: PostgreSQL with a pool of `connections`.
    public static func open(url: String?, connections: Int = 4) throws -> CoordinatorStore {
        guard let url else { return try CoordinatorStore(database: SQLiteDatabase(path: defaultPath)) }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try CoordinatorStore(database: PostgresDatabase(url: url, connections: connections))
        }
        if url.hasPrefix("sqlite:") {
            var path = String(url.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            if path == ":memory:" { return try inMemory() }
            guard !path.isEmpty else {
                throw StorageError(.invalidArgument, "a sqlite: URL needs a path, e.g. sqlite:eqm-data/coordinator.sqlite")
            }
            return try CoordinatorStore(database: SQLiteDatabase(path: path))
        }
        // Only the scheme is echoed: the rest may hold a password.
        let scheme = url.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        throw StorageError(
            .invalidArgument,
            "unsupported storage URL scheme '\(scheme.prefix(20))': expected sqlite:PATH, postgres:// or postgresql://")
    }

    /// A migrated in-memory SQLite store, for tests.
    public static func inMemory() throws -> CoordinatorStore {
        try CoordinatorStore(database: SQLiteDatabase.inMemory())
    }

    /// Applies missing migrations; returns the versions applied. Throws
    /// ``StorageError/Code/schemaTooNew`` for a database migrated by a newer build.
    @discardableResult
    public func migrate() throws -> [Int] {
        try Self.migrator.migrate(database, now: Date().timeIntervalSince1970)
    }

    /// Runs `body` in one read-write transaction (see ``SQLDatabase/write(_:)``: on PostgreSQL it
    /// may run more than once).
    public func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let dialect = database.dialect
        return try database.write { sql in try body(StoreTransaction(sql: sql, dialect: dialect)) }
    }

    /// Runs `body` in one read-only snapshot.
    public func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        let dialect = database.dialect
        return try database.read { sql in try body(StoreTransaction(sql: sql, dialect: dialect)) }
    }

    /// Tries to become the leader named `name` (see ``SQLDatabase/tryLeadership(_:)``).
    public func tryLeadership(_ name: String) throws -> LeadershipLease? {
        try database.tryLeadership(name)
    }

    /// A ``ChainStore`` that runs each call in its own transaction, for long-lived owners such as
    /// the server's ``AuditTrail`` actor. Appends by two replicas at once cannot fork the chain:
    /// the second fails on the (chain, sequence) key.
    public func chain(_ name: String) -> AutocommitChainStore {
        AutocommitChainStore(store: self, name: name)
    }

    /// Closes the database's connections.
    public func close() { database.close() }
}

/// A ``ChainStore`` over a ``CoordinatorStore``, one transaction per call.
public struct AutocommitChainStore: ChainStore, Sendable {
    /// The store.
    public let store: CoordinatorStore
    /// The chain's name (e.g. "audit", "ledger:CAMPAIGN").
    public let name: String

    public func lastLink() throws -> ChainLink? { try store.read { try $0.chain(name).lastLink() } }
    public func append(_ link: ChainLink) throws { try store.write { try $0.chain(name).append(link) } }
    public func links(from: Int) throws -> [ChainLink] { try store.read { try $0.chain(name).links(from: from) } }
    public func appendCheckpoint(_ checkpoint: ChainCheckpoint) throws {
        try store.write { try $0.chain(name).appendCheckpoint(checkpoint) }
    }
    public func checkpoints() throws -> [ChainCheckpoint] { try store.read { try $0.chain(name).checkpoints() } }
}

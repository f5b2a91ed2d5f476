/// One step of a schema's history: applied once, in order, never edited after release.
public struct SQLMigration: Sendable, Hashable {
    /// Its version (1, 2, …), strictly increasing in a migrator's list.
    public var version: Int
    /// A short description for logs.
    public var name: String
    /// Portable DDL statements (see ``SQLDialect/ddl(_:)``), run in one transaction.
    public var statements: [String]

    /// Creates a migration.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// Applies ``SQLMigration``s, recording each in `schema_migrations(version, applied_at)`.
///
/// Each migration runs in its own ``SQLDatabase/lockedWrite(_:_:)`` transaction, so replicas that
/// start together apply each migration once. A database whose schema is newer than the newest
/// migration this build knows is refused rather than used.
public struct SQLMigrator: Sendable {
    /// The migrations, ordered by version.
    public let migrations: [SQLMigration]

    /// Creates a migrator; versions must be positive and strictly increasing.
    public init(migrations: [SQLMigration]) throws {
        var last = 0
        for migration in migrations {
            guard migration.version > last else {
                throw StorageError(
                    .invalidArgument,
                    "migration versions must be positive and increasing; found \(migration.version) after \(last)")
            }
            last = migration.version
        }
        self.migrations = migrations
    }

    /// The newest version this build knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every missing migration; returns the versions applied (empty when up to date).
    @discardableResult
    public func migrate(_ database: any SQLDatabase, now: Double) throws -> [Int] {
        var applied = [Int]()
        while true {
            let next = try database.lockedWrite("eqm.schema_migrations") { sql -> Int? in
                try sql.execute(
                    database.dialect.ddl(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)"))
                let done = Set(try sql.query("SELECT version FROM schema_migrations").map { try $0.int("version") })
                if let newest = done.max(), newest > latestVersion {
                    throw StorageError(
                        .schemaTooNew,
                        "the database schema is at version \(newest), newer than this build's \(latestVersion): run a newer build, or restore a backup made for this one"
                    )
                }
                guard let migration = migrations.first(where: { !done.contains($0.version) }) else { return nil }
                for statement in migration.statements { try sql.execute(database.dialect.ddl(statement)) }
                try sql.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [.int(migration.version), .real(now)])
                return migration.version
            }
            guard let next else { return applied }
            applied.append(next)
        }
    }

    /// The schema version of a database (0 when it was never migrated).
    public func currentVersion(_ database: any SQLDatabase) throws -> Int {
        try database.read { sql in
            let exists: Bool
            switch database.dialect {
            case .sqlite:
                exists = try !sql.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
                    .isEmpty
            case .postgres:
                exists = try sql.first("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")?.bool("present") ?? false
            }
            guard exists else { return 0 }
            return try sql.first("SELECT MAX(version) AS version FROM schema_migrations")?.intIfPresent("version") ?? 0
        }
    }
}

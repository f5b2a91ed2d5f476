import EQMCrypto
import Foundation

/// A ``SQLDatabase`` on PostgreSQL through libpq, shared by coordinator replicas.
///
/// Writes run as `SERIALIZABLE` transactions and are retried (up to five attempts in all) when
/// PostgreSQL reports a serialisation failure or deadlock (SQLSTATE 40001, 40P01); reads run as
/// `REPEATABLE READ READ ONLY` snapshots. Parameters are bound with `PQexecParams` (never spliced
/// into SQL), results parsed from text format. Errors never contain the connection URL.
public final class PostgresDatabase: SQLDatabase {
    public var dialect: SQLDialect { .postgres }
    private let url: String
    private let pool: PostgresConnectionPool
    /// Attempts of a transaction that keeps hitting serialisation failures.
    static let maximumAttempts = 5

    /// Connects to `url` (`postgresql://…` or a `key=value` string) with up to `connections`
    /// pooled connections; one is opened now so that a wrong URL fails here.
    public init(url: String, connections: Int = 4) throws {
        self.url = url
        pool = PostgresConnectionPool(url: url, capacity: connections)
        pool.checkIn(try pool.checkOut())
    }

    deinit { pool.close() }

    public func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL SERIALIZABLE", lock: nil, body)
    }

    public func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", lock: nil, body)
    }

    /// `READ COMMITTED` with `pg_advisory_xact_lock` taken first: each later statement sees what
    /// the previous holder committed (a serialisable snapshot would predate the wait).
    public func lockedWrite<T>(_ name: String, _ body: (any SQLExecutor) throws -> T) throws -> T {
        try transaction(begin: "BEGIN ISOLATION LEVEL READ COMMITTED", lock: Self.lockKey("eqm.lock|" + name), body)
    }

    public func tryLeadership(_ name: String) throws -> LeadershipLease? {
        // A dedicated connection: the session-level lock lives exactly as long as it does.
        let connection = try PostgresConnection(url: url)
        let key = Self.lockKey("eqm.leadership|" + name)
        let row = try connection.run("SELECT pg_try_advisory_lock(?) AS locked", [.integer(key)]).rows.first
        guard try row?.bool("locked") == true else { return nil }
        return LeadershipLease(name: name, holder: PostgresLeaseHolder(connection: connection, key: key))
    }

    public func close() { pool.close() }

    /// A 64-bit advisory-lock key: the first eight bytes of BLAKE2b of the name.
    static func lockKey(_ name: String) -> Int64 {
        let digest = Blake2b.hash(Array(name.utf8), length: 16)
        return digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    private func transaction<T>(begin: String, lock: Int64?, _ body: (any SQLExecutor) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let connection = try pool.checkOut()
            defer { pool.checkIn(connection) }
            connection.resetFailure()
            do {
                _ = try connection.scalar(begin)
                if let lock { _ = try connection.run("SELECT pg_advisory_xact_lock(?)", [.integer(lock)]) }
                let result = try body(PostgresExecutor(connection: connection))
                if connection.isInFailedTransaction {
                    // The body caught a statement's error and went on: COMMIT would silently roll back.
                    throw StorageError(
                        .statementFailed,
                        "a statement of the transaction failed and the error was not propagated; the transaction was rolled back",
                        sqlState: connection.lastFailureState)
                }
                _ = try connection.scalar("COMMIT")
                return result
            } catch {
                if connection.isInTransaction { _ = try? connection.scalar("ROLLBACK") }
                let state = connection.lastFailureState
                if state == "40001" || state == "40P01", attempt < Self.maximumAttempts {
                    // Back off a little, more each time, so that conflicting writers stop colliding.
                    usleep(UInt32.random(in: 1_000...5_000) * UInt32(attempt))
                    continue
                }
                if let error = error as? StorageError, error.isSerializationFailure {
                    throw StorageError(
                        .serializationFailure,
                        "the transaction conflicted with concurrent ones \(attempt) times: \(error.message)",
                        sqlState: error.sqlState)
                }
                throw error
            }
        }
    }
}

/// Statements inside one PostgreSQL transaction.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        try connection.run(sql, arguments).changed
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        try connection.run(sql, arguments).rows
    }
}

/// A session-level advisory lock on a dedicated connection.
struct PostgresLeaseHolder: LeaseHolder {
    let connection: PostgresConnection
    let key: Int64

    func isHeld() -> Bool {
        (try? connection.scalar("SELECT 1")) == "1"
    }

    func release() {
        // Closing the connection (when the last reference goes) frees the lock too; unlocking
        // first makes it free now even if something else still references the connection.
        _ = try? connection.run("SELECT pg_advisory_unlock(?)", [.integer(key)])
    }
}

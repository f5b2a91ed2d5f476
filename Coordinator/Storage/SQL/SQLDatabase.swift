/// A connection inside one transaction: the only way statements reach a database.
///
/// Valid only inside the ``SQLDatabase/write(_:)`` or ``SQLDatabase/read(_:)`` closure that
/// handed it out; never store it or pass it to another thread. SQL is written once with `?`
/// placeholders; each backend adapts it.
public protocol SQLExecutor {
    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs a query and returns every row.
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow]
}

extension SQLExecutor {
    /// Runs a statement without arguments.
    @discardableResult
    public func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    /// Runs a query without arguments.
    public func query(_ sql: String) throws -> [SQLRow] { try query(sql, []) }

    /// The first row of a query, if any.
    public func first(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLRow? {
        try query(sql, arguments).first
    }
}

/// The SQL dialect a database speaks, for the few statements that differ.
public enum SQLDialect: String, Sendable {
    /// SQLite through GRDB.
    case sqlite
    /// PostgreSQL through libpq.
    case postgres
}

/// A database the coordinator stores its state in: SQLite for one process, PostgreSQL for replicas.
///
/// Every call is synchronous and may block on I/O: in the server, run it on `NIOThreadPool`,
/// never on the cooperative pool.
public protocol SQLDatabase: Sendable {
    /// The dialect of the SQL it accepts.
    var dialect: SQLDialect { get }

    /// Runs `body` in one serialisable read-write transaction, committed when `body` returns and
    /// rolled back when it throws.
    ///
    /// PostgreSQL may run `body` again (up to five times in all) when the transaction conflicts
    /// with a concurrent one, so `body` must have no effects outside the database. A failed
    /// statement ends the transaction: PostgreSQL refuses everything after it, so when `body`
    /// catches such an error and returns, the transaction is rolled back and `write` throws.
    func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T

    /// Runs `body` in a read-write transaction that holds the lock `name` first, so that no two
    /// processes sharing the database run it at once (migrations). The body sees everything
    /// committed before the lock was granted.
    func lockedWrite<T>(_ name: String, _ body: (any SQLExecutor) throws -> T) throws -> T

    /// Tries to become the leader named `name` (e.g. the replica that drives a campaign's rounds).
    ///
    /// Returns a lease, or nil when another holder has it. The lease lasts until released, until
    /// its holder is deinitialised, or (PostgreSQL) until the holder's process or connection dies.
    func tryLeadership(_ name: String) throws -> LeadershipLease?

    /// Closes every connection; later calls throw ``StorageError/Code/closed`` (SQLite: GRDB
    /// closes when the last reference goes).
    func close()
}

import Foundation
import GRDB
import Synchronization

/// A ``SQLDatabase`` on SQLite through GRDB, for a single coordinator process.
///
/// Files are opened as a `DatabasePool` in WAL mode (concurrent readers, one writer); in-memory
/// databases (tests) as a `DatabaseQueue`. Foreign keys are enforced and a writer waits up to
/// `busyTimeout` for a lock held by another connection.
///
/// SQLite is single-process: leadership is an in-process registry, so two *processes* on one file
/// would both become leaders. Run replicas on PostgreSQL.
public final class SQLiteDatabase: SQLDatabase {
    public var dialect: SQLDialect { .sqlite }
    private let writer: any DatabaseWriter
    /// What identifies this database in the leadership registry.
    private let identity: String

    /// Opens (creating if needed) the database file at `path`, creating missing parent folders.
    public init(path: String, busyTimeout: Double = 5) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            writer = try DatabasePool(path: url.path, configuration: Self.configuration(busyTimeout: busyTimeout))
        } catch {
            throw Self.storageError(error, operation: "open the SQLite database \(url.lastPathComponent)")
        }
        identity = "file:" + url.standardizedFileURL.path
    }

    /// Opens a private in-memory database (gone when the instance is).
    public init(inMemory: Void = ()) throws {
        do {
            writer = try DatabaseQueue(named: nil, configuration: Self.configuration(busyTimeout: 5))
        } catch {
            throw Self.storageError(error, operation: "open an in-memory SQLite database")
        }
        identity = "memory:" + UUID().uuidString
    }

    /// An in-memory database (for tests).
    public static func inMemory() throws -> SQLiteDatabase { try SQLiteDatabase(inMemory: ()) }

    private static func configuration(busyTimeout: Double) -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "eqm.coordinator"
        return configuration
    }

    public func write<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try run("write") { try writer.write { database in try body(SQLiteExecutor(database: database)) } }
    }

    public func read<T>(_ body: (any SQLExecutor) throws -> T) throws -> T {
        try run("read") { try writer.read { database in try body(SQLiteExecutor(database: database)) } }
    }

    /// SQLite has one writer at a time, so a write transaction already excludes every other.
    public func lockedWrite<T>(_ name: String, _ body: (any SQLExecutor) throws -> T) throws -> T {
        try write(body)
    }

    public func tryLeadership(_ name: String) throws -> LeadershipLease? {
        let key = identity + "|" + name
        guard SQLiteLeadershipRegistry.shared.acquire(key) else { return nil }
        return LeadershipLease(name: name, holder: SQLiteLeaseHolder(key: key))
    }

    /// Nothing to do: GRDB closes the connections when the database is deinitialised.
    public func close() {}

    private func run<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw Self.storageError(error, operation: operation)
        }
    }

    /// A ``StorageError`` for a GRDB error: the SQLite message and code, never statement arguments.
    static func storageError(_ error: any Error, operation: String) -> StorageError {
        guard let error = error as? DatabaseError else {
            return StorageError(.statementFailed, "could not \(operation): \(error)")
        }
        let code: StorageError.Code =
            switch error.resultCode {
            case .SQLITE_CONSTRAINT: .constraintViolation
            case .SQLITE_CANTOPEN, .SQLITE_NOTADB, .SQLITE_IOERR: .connectionFailed
            default: .statementFailed
            }
        var message =
            "could not \(operation): SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "no message")"
        if let sql = error.sql { message += " (statement: \(sql))" }
        return StorageError(code, message, sqlState: String(error.extendedResultCode.rawValue))
    }
}

/// Statements inside one GRDB transaction.
struct SQLiteExecutor: SQLExecutor {
    let database: Database

    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
        do {
            try database.execute(sql: sql, arguments: Self.arguments(arguments))
            return database.changesCount
        } catch {
            throw SQLiteDatabase.storageError(error, operation: "run a statement")
        }
    }

    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        do {
            return try Row.fetchAll(database, sql: sql, arguments: Self.arguments(arguments)).map { row in
                SQLRow(columns: Array(row.columnNames), values: row.databaseValues.map(Self.value))
            }
        } catch {
            throw SQLiteDatabase.storageError(error, operation: "run a query")
        }
    }

    private static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(
            values.map { value -> DatabaseValue in
                switch value {
                case .null: .null
                case .integer(let value): value.databaseValue
                case .real(let value): value.databaseValue
                case .text(let value): value.databaseValue
                case .blob(let value): Data(value).databaseValue
                }
            })
    }

    private static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let value): .integer(value)
        case .double(let value): .real(value)
        case .string(let value): .text(value)
        case .blob(let value): .blob([UInt8](value))
        }
    }
}

/// Which SQLite leases are held in this process (SQLite coordinators are single-process).
final class SQLiteLeadershipRegistry: Sendable {
    static let shared = SQLiteLeadershipRegistry()
    private let held = Mutex<Set<String>>([])

    func acquire(_ key: String) -> Bool { held.withLock { $0.insert(key).inserted } }
    func release(_ key: String) { _ = held.withLock { $0.remove(key) } }
}

struct SQLiteLeaseHolder: LeaseHolder {
    let key: String
    func isHeld() -> Bool { true }
    func release() { SQLiteLeadershipRegistry.shared.release(key) }
}

import Foundation

/// Every store operation, inside one transaction of a ``CoordinatorStore``.
///
/// Valid only inside the closure that received it. Methods throw ``StorageError``.
public struct StoreTransaction {
    /// The transaction's SQL connection (for operations this type does not offer yet).
    public let sql: any SQLExecutor
    /// The database's dialect.
    public let dialect: SQLDialect

    init(sql: any SQLExecutor, dialect: SQLDialect) {
        self.sql = sql
        self.dialect = dialect
    }

    // MARK: Settings

    /// A setting's value, or nil when unset.
    public func setting(_ key: String) throws -> String? {
        try sql.first("SELECT value FROM settings WHERE key = ?", [.text(key)])?.string("value")
    }

    /// Sets (inserts or replaces) a setting.
    public func setSetting(_ key: String, _ value: String) throws {
        try sql.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [.text(key), .text(value)])
    }

    // MARK: Introspection

    /// Every table of the store.
    public func tables() -> [String] { CoordinatorSchema.tables }

    /// Every row of one of ``tables()`` (for tests and audits: erasure checks scan them all).
    public func allRows(of table: String) throws -> [SQLRow] {
        guard tables().contains(table) else {
            throw StorageError(.invalidArgument, "'\(table.prefix(40))' is not one of the store's tables")
        }
        return try sql.query("SELECT * FROM \(table)")
    }

    // MARK: JSON columns

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, column: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch {
            throw StorageError(.decodingFailed, "column '\(column)' does not hold the expected JSON \(T.self)")
        }
    }
}

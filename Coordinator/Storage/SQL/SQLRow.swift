/// One result row, read by column name. Accessors throw ``StorageError`` naming the column when
/// it is missing, NULL where a value is required, or of another type.
public struct SQLRow: Sendable, Hashable {
    /// The column names, in result order.
    public let columns: [String]
    /// The values, in result order.
    public let values: [SQLValue]

    /// Creates a row; `columns` and `values` have the same length.
    public init(columns: [String], values: [SQLValue]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The value of a column, or nil when the row has no such column.
    public subscript(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// The raw value of a column (``SQLValue/null`` for NULL); throws when the column is missing.
    public func value(_ column: String) throws -> SQLValue {
        guard let value = self[column] else {
            throw StorageError(
                .decodingFailed, "the result has no column '\(column)' (columns: \(columns.joined(separator: ", ")))")
        }
        return value
    }

    // MARK: Optional accessors (NULL is nil)

    /// An integer column, nil when NULL. Reals with an integral value are accepted.
    public func intIfPresent(_ column: String) throws -> Int? {
        switch try value(column) {
        case .null: return nil
        case .integer(let value):
            guard let result = Int(exactly: value) else { throw mismatch(column, "INTEGER", "an out-of-range integer") }
            return result
        case .real(let value):
            guard let result = Int(exactly: value) else { throw mismatch(column, "INTEGER", "a non-integral REAL") }
            return result
        case let other: throw mismatch(column, "INTEGER", other.typeName)
        }
    }

    /// A real column, nil when NULL. Integers are accepted.
    public func doubleIfPresent(_ column: String) throws -> Double? {
        switch try value(column) {
        case .null: return nil
        case .real(let value): return value
        case .integer(let value): return Double(value)
        case let other: throw mismatch(column, "REAL", other.typeName)
        }
    }

    /// A text column, nil when NULL.
    public func stringIfPresent(_ column: String) throws -> String? {
        switch try value(column) {
        case .null: return nil
        case .text(let value): return value
        case let other: throw mismatch(column, "TEXT", other.typeName)
        }
    }

    /// A blob column, nil when NULL.
    public func bytesIfPresent(_ column: String) throws -> [UInt8]? {
        switch try value(column) {
        case .null: return nil
        case .blob(let value): return value
        case let other: throw mismatch(column, "BLOB", other.typeName)
        }
    }

    /// A boolean stored as an integer (0 false, anything else true), nil when NULL.
    public func boolIfPresent(_ column: String) throws -> Bool? {
        try intIfPresent(column).map { $0 != 0 }
    }

    // MARK: Required accessors

    /// An integer column; NULL is an error.
    public func int(_ column: String) throws -> Int { try required(column, "INTEGER", intIfPresent(column)) }
    /// A real column; NULL is an error.
    public func double(_ column: String) throws -> Double { try required(column, "REAL", doubleIfPresent(column)) }
    /// A text column; NULL is an error.
    public func string(_ column: String) throws -> String { try required(column, "TEXT", stringIfPresent(column)) }
    /// A blob column; NULL is an error.
    public func bytes(_ column: String) throws -> [UInt8] { try required(column, "BLOB", bytesIfPresent(column)) }
    /// A boolean column; NULL is an error.
    public func bool(_ column: String) throws -> Bool { try required(column, "INTEGER", boolIfPresent(column)) }

    private func required<T>(_ column: String, _ expected: String, _ value: T?) throws -> T {
        guard let value else { throw mismatch(column, expected, "NULL") }
        return value
    }

    private func mismatch(_ column: String, _ expected: String, _ found: String) -> StorageError {
        StorageError(.decodingFailed, "column '\(column)': expected \(expected), found \(found)")
    }
}

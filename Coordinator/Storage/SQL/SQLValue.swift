/// A value bound to, or read from, a SQL statement: the five storage classes both backends share.
public enum SQLValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer (INTEGER / BIGINT; booleans are stored as 0 and 1).
    case integer(Int64)
    /// A double (REAL / DOUBLE PRECISION).
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Bytes (BLOB / BYTEA).
    case blob([UInt8])

    /// The name of the storage class, for error messages (never the value itself).
    public var typeName: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}

extension SQLValue {
    /// An integer value.
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }
    /// 1 for true, 0 for false.
    public static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }
    /// Text, or NULL for nil.
    public static func optional(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
    /// A real, or NULL for nil.
    public static func optional(_ value: Double?) -> SQLValue { value.map(SQLValue.real) ?? .null }
    /// An integer, or NULL for nil.
    public static func optional(_ value: Int?) -> SQLValue { value.map(SQLValue.int) ?? .null }
    /// Bytes, or NULL for nil.
    public static func optional(_ value: [UInt8]?) -> SQLValue { value.map(SQLValue.blob) ?? .null }
}

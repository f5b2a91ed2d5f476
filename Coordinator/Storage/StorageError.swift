/// A storage failure: a code to branch on, a message for people, and where it was raised.
///
/// Messages name the table, column or operation concerned and what was expected and found; they
/// never contain statement arguments, connection URLs, passwords, tokens or subject identifiers.
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure (extensible: new codes are not a breaking change).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case connectionFailed, statementFailed, constraintViolation, serializationFailure, schemaTooNew
            case invalidArgument, decodingFailed, closed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The database could not be reached, or the connection broke.
        public static let connectionFailed = Code(.connectionFailed)
        /// The database refused or failed a statement.
        public static let statementFailed = Code(.statementFailed)
        /// A unique, primary-key or foreign-key constraint was violated.
        public static let constraintViolation = Code(.constraintViolation)
        /// A serialisable transaction conflicted with a concurrent one, even after retries.
        public static let serializationFailure = Code(.serializationFailure)
        /// The database was migrated by a newer build than this one.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// An argument (URL, category, name) is not one the store accepts.
        public static let invalidArgument = Code(.invalidArgument)
        /// A stored value is missing or not of the expected type.
        public static let decodingFailed = Code(.decodingFailed)
        /// The database was closed.
        public static let closed = Code(.closed)

        public var description: String {
            switch value {
            case .connectionFailed: "connection failed"
            case .statementFailed: "statement failed"
            case .constraintViolation: "constraint violation"
            case .serializationFailure: "serialization failure"
            case .schemaTooNew: "schema too new"
            case .invalidArgument: "invalid argument"
            case .decodingFailed: "decoding failed"
            case .closed: "closed"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was expected and what was found.
    public var message: String
    /// The five-character SQLSTATE PostgreSQL reported (or a GRDB result code as text), if any.
    public var sqlState: String?
    /// Where the error was raised.
    public var file: String
    /// The line where the error was raised.
    public var line: Int

    /// Creates an error at the caller's location.
    public init(_ code: Code, _ message: String, sqlState: String? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.file = file
        self.line = line
    }

    public var description: String { "\(code): \(message)" }

    /// Whether retrying the whole transaction may succeed (PostgreSQL SQLSTATE 40001 or 40P01).
    public var isSerializationFailure: Bool { sqlState == "40001" || sqlState == "40P01" }
}

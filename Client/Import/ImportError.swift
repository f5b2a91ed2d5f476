/// An import that cannot proceed at all: the input is missing, unreadable or not in the format, or
/// the accepted data or the quarantine cannot be written.
///
/// Bad records never throw: they are rejected, quarantined and counted (see ``Rejection``). Messages
/// name what was expected and what was found and never contain raw values.
public struct ImportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch on known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unreadableInput, unrecognizedInput, invalidConfiguration, sinkFailure, quarantineFailure
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The path does not exist or cannot be opened or read.
        public static let unreadableInput = Code(.unreadableInput)
        /// The input exists but holds nothing in the expected format.
        public static let unrecognizedInput = Code(.unrecognizedInput)
        /// An importer option is invalid (an unknown time zone, a zero batch size).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The sink refused accepted measurements.
        public static let sinkFailure = Code(.sinkFailure)
        /// The quarantine file cannot be created or written.
        public static let quarantineFailure = Code(.quarantineFailure)

        public var description: String {
            switch value {
            case .unreadableInput: "unreadable input"
            case .unrecognizedInput: "unrecognized input"
            case .invalidConfiguration: "invalid configuration"
            case .sinkFailure: "sink failure"
            case .quarantineFailure: "quarantine failure"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message naming what was expected and what was found.
    public var message: String
    /// Where the error was created.
    public var location: SourceLocation

    /// Source location of an error, for diagnostics.
    public struct SourceLocation: Hashable, Sendable {
        /// The Swift file that created the error.
        public var file: String
        /// The line in that file.
        public var line: Int
    }

    private init(code: Code, message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.location = SourceLocation(file: file, line: line)
    }

    public var description: String { message }

    /// The input cannot be opened or read.
    public static func unreadableInput(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .unreadableInput, message: message, file: file, line: line)
    }
    /// The input holds nothing in the expected format.
    public static func unrecognizedInput(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .unrecognizedInput, message: message, file: file, line: line)
    }
    /// An importer option is invalid.
    public static func invalidConfiguration(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidConfiguration, message: message, file: file, line: line)
    }
    /// The sink refused accepted measurements.
    public static func sinkFailure(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .sinkFailure, message: message, file: file, line: line)
    }
    /// The quarantine file cannot be written.
    public static func quarantineFailure(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .quarantineFailure, message: message, file: file, line: line)
    }
}

/// An error thrown at the boundaries of the training core: loading a model file, configuring a
/// model or trainer, or feeding data of the wrong shape.
///
/// Messages name what was expected and what was found; they never contain raw samples.
public struct EQMCoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch on known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidShape, invalidConfiguration, invalidModelFile, unsupportedVersion, checksumMismatch
            case invalidData
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A tensor, batch or layer input has the wrong shape.
        public static let invalidShape = Code(.invalidShape)
        /// A model, layer or trainer configuration is out of range or inconsistent.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A model file is not an EQM model file or is truncated.
        public static let invalidModelFile = Code(.invalidModelFile)
        /// A model file has a format version this build cannot read.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A model file's checksum does not match its contents (corruption or tampering).
        public static let checksumMismatch = Code(.checksumMismatch)
        /// Input data (features, labels, signals) is invalid.
        public static let invalidData = Code(.invalidData)

        public var description: String {
            switch value {
            case .invalidShape: "invalid shape"
            case .invalidConfiguration: "invalid configuration"
            case .invalidModelFile: "invalid model file"
            case .unsupportedVersion: "unsupported version"
            case .checksumMismatch: "checksum mismatch"
            case .invalidData: "invalid data"
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
        public var file: String
        public var line: Int
    }

    private init(code: Code, message: String, file: String, line: Int) {
        self.code = code
        self.message = message
        self.location = SourceLocation(file: file, line: line)
    }

    public var description: String { "\(code): \(message)" }

    /// A tensor or batch has the wrong shape.
    public static func invalidShape(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidShape, message: message, file: file, line: line)
    }
    /// A configuration value is out of range or inconsistent.
    public static func invalidConfiguration(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidConfiguration, message: message, file: file, line: line)
    }
    /// A model file is malformed or truncated.
    public static func invalidModelFile(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidModelFile, message: message, file: file, line: line)
    }
    /// A model file version cannot be read by this build.
    public static func unsupportedVersion(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .unsupportedVersion, message: message, file: file, line: line)
    }
    /// A model file's checksum does not match.
    public static func checksumMismatch(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .checksumMismatch, message: message, file: file, line: line)
    }
    /// Input data is invalid.
    public static func invalidData(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(code: .invalidData, message: message, file: file, line: line)
    }
}

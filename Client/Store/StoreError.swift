/// A failure of the node's encrypted local store. Messages name the file and what was expected;
/// they never contain key material, passphrases or stored values.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case notFound, alreadyExists, wrongKey, tampered, corrupted, unsupportedVersion, keyUnavailable, inUse, io
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// There is no store at the path.
        public static let notFound = Code(.notFound)
        /// A store already exists where one was to be created.
        public static let alreadyExists = Code(.alreadyExists)
        /// The passphrase or key file does not open this store.
        public static let wrongKey = Code(.wrongKey)
        /// A store file failed authentication: it was modified, swapped or truncated.
        public static let tampered = Code(.tampered)
        /// A store file decrypted but its contents are malformed.
        public static let corrupted = Code(.corrupted)
        /// The store was written by a newer format version.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// No key source was given and none can be asked for.
        public static let keyUnavailable = Code(.keyUnavailable)
        /// Another process holds the store.
        public static let inUse = Code(.inUse)
        /// Reading or writing a file failed.
        public static let io = Code(.io)

        public var description: String {
            switch value {
            case .notFound: "not found"
            case .alreadyExists: "already exists"
            case .wrongKey: "wrong key"
            case .tampered: "tampered"
            case .corrupted: "corrupted"
            case .unsupportedVersion: "unsupported version"
            case .keyUnavailable: "key unavailable"
            case .inUse: "in use"
            case .io: "i/o error"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, naming the file where one is involved.
    public var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

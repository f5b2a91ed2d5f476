/// A cryptographic failure. Messages never contain key material, plaintext or passphrases.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case authenticationFailed, invalidKey, invalidInput, keyDerivationFailed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A ciphertext did not authenticate: wrong key, wrong associated data, or tampering.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// Key material has the wrong length or format.
        public static let invalidKey = Code(.invalidKey)
        /// An input (ciphertext, salt, parameters) is malformed.
        public static let invalidInput = Code(.invalidInput)
        /// Argon2id could not run (usually not enough memory for the requested limit).
        public static let keyDerivationFailed = Code(.keyDerivationFailed)

        public var description: String {
            switch value {
            case .authenticationFailed: "authentication failed"
            case .invalidKey: "invalid key"
            case .invalidInput: "invalid input"
            case .keyDerivationFailed: "key derivation failed"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was expected and what was found.
    public var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

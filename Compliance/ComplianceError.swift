/// A compliance failure: unknown subject, missing consent, invalid policy, a cap reached.
/// Messages use pseudonymous ids only.
public struct ComplianceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unknownSubject, noConsent, invalidInput, budgetExhausted, verificationFailed
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No data is held about this subject.
        public static let unknownSubject = Code(.unknownSubject)
        /// The subject has no current consent for the purpose.
        public static let noConsent = Code(.noConsent)
        /// A request or configuration is malformed.
        public static let invalidInput = Code(.invalidInput)
        /// A privacy budget cap would be exceeded.
        public static let budgetExhausted = Code(.budgetExhausted)
        /// A ledger or trail did not verify.
        public static let verificationFailed = Code(.verificationFailed)

        public var description: String {
            switch value {
            case .unknownSubject: "unknown subject"
            case .noConsent: "no consent"
            case .invalidInput: "invalid input"
            case .budgetExhausted: "budget exhausted"
            case .verificationFailed: "verification failed"
            }
        }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was expected and what was found.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

public import EQMCrypto

/// A failure in the secure-aggregation protocol: a message that is refused, a configuration that
/// is out of range, or a round that cannot complete.
///
/// Every rejection leaves the state machine that threw it unchanged. Messages name what was
/// expected and what was found, by round-local participant index; they never contain key
/// material, shares, masks, update values or identity keys.
public struct ProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; extensible without breaking callers that switch on known codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unsupportedVersion, messageTooLarge, malformedMessage, invalidSignature, authenticationFailed
            case unknownParticipant, unexpectedMessage, duplicateMessage, wrongRound, invalidVectorLength
            case belowThreshold, refusedDisclosure, reconstructionFailed, invalidConfiguration, invalidInput
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A message carries a protocol version this build does not speak.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A message is larger than the limit for its kind (checked before decoding).
        public static let messageTooLarge = Code(.messageTooLarge)
        /// A message cannot be decoded or its fields are inconsistent.
        public static let malformedMessage = Code(.malformedMessage)
        /// A signature does not verify under the sender's identity key.
        public static let invalidSignature = Code(.invalidSignature)
        /// A sealed envelope or an encrypted share did not authenticate (tampering, wrong key or context).
        public static let authenticationFailed = Code(.authenticationFailed)
        /// The sender (or a named peer) is not a participant, not a neighbour, or not in the required set.
        public static let unknownParticipant = Code(.unknownParticipant)
        /// A message arrived at a stage that does not expect it (out of order).
        public static let unexpectedMessage = Code(.unexpectedMessage)
        /// A second message of the same stage from the same sender (a replay).
        public static let duplicateMessage = Code(.duplicateMessage)
        /// A message belongs to another round (its configuration digest differs).
        public static let wrongRound = Code(.wrongRound)
        /// A vector has the wrong number of parameters.
        public static let invalidVectorLength = Code(.invalidVectorLength)
        /// Fewer parties than the threshold remain: the round cannot produce a correct sum.
        public static let belowThreshold = Code(.belowThreshold)
        /// A client refused to reveal a share (both secrets of one peer, or an inconsistent request).
        public static let refusedDisclosure = Code(.refusedDisclosure)
        /// Shares did not reconstruct the committed secret (a corrupt or malicious share).
        public static let reconstructionFailed = Code(.reconstructionFailed)
        /// Round parameters are out of range or inconsistent.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// An input (update vector, weight) is out of range.
        public static let invalidInput = Code(.invalidInput)

        public var description: String {
            switch value {
            case .unsupportedVersion: "unsupported version"
            case .messageTooLarge: "message too large"
            case .malformedMessage: "malformed message"
            case .invalidSignature: "invalid signature"
            case .authenticationFailed: "authentication failed"
            case .unknownParticipant: "unknown participant"
            case .unexpectedMessage: "unexpected message"
            case .duplicateMessage: "duplicate message"
            case .wrongRound: "wrong round"
            case .invalidVectorLength: "invalid vector length"
            case .belowThreshold: "below threshold"
            case .refusedDisclosure: "refused disclosure"
            case .reconstructionFailed: "reconstruction failed"
            case .invalidConfiguration: "invalid configuration"
            case .invalidInput: "invalid input"
            }
        }
    }

    /// Source location of an error, for diagnostics.
    public struct SourceLocation: Hashable, Sendable {
        /// The file (`#fileID`).
        public var file: String
        /// The line.
        public var line: Int
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was expected and what was found.
    public var message: String
    /// The cryptographic failure underneath, when there is one.
    public var cause: CryptoError?
    /// Where the error was created.
    public var location: SourceLocation

    private init(_ code: Code, _ message: String, cause: CryptoError?, file: String, line: Int) {
        self.code = code
        self.message = message
        self.cause = cause
        self.location = SourceLocation(file: file, line: line)
    }

    public var description: String { "\(code): \(message)" }

    /// A message of an unknown protocol version.
    public static func unsupportedVersion(found: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(
            .unsupportedVersion, "expected protocol version \(WireProtocol.version), found \(found)",
            cause: nil, file: file, line: line)
    }
    /// A message over its size limit.
    public static func messageTooLarge(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.messageTooLarge, message, cause: nil, file: file, line: line)
    }
    /// A message that cannot be decoded.
    public static func malformedMessage(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.malformedMessage, message, cause: nil, file: file, line: line)
    }
    /// A signature that does not verify.
    public static func invalidSignature(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidSignature, message, cause: nil, file: file, line: line)
    }
    /// A ciphertext or envelope that did not authenticate.
    public static func authenticationFailed(
        _ message: String, cause: CryptoError? = nil,
        file: String = #fileID, line: Int = #line
    ) -> Self {
        Self(.authenticationFailed, message, cause: cause, file: file, line: line)
    }
    /// A sender or peer outside the required set.
    public static func unknownParticipant(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unknownParticipant, message, cause: nil, file: file, line: line)
    }
    /// A message at the wrong stage.
    public static func unexpectedMessage(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.unexpectedMessage, message, cause: nil, file: file, line: line)
    }
    /// A replayed message.
    public static func duplicateMessage(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.duplicateMessage, message, cause: nil, file: file, line: line)
    }
    /// A message of another round.
    public static func wrongRound(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.wrongRound, message, cause: nil, file: file, line: line)
    }
    /// A vector of the wrong length.
    public static func invalidVectorLength(expected: Int, found: Int, file: String = #fileID, line: Int = #line) -> Self {
        Self(
            .invalidVectorLength, "expected a vector of \(expected) parameters, found \(found)",
            cause: nil, file: file, line: line)
    }
    /// Too few parties remain.
    public static func belowThreshold(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.belowThreshold, message, cause: nil, file: file, line: line)
    }
    /// A refused request to reveal shares.
    public static func refusedDisclosure(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.refusedDisclosure, message, cause: nil, file: file, line: line)
    }
    /// Shares that do not reconstruct the committed secret.
    public static func reconstructionFailed(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.reconstructionFailed, message, cause: nil, file: file, line: line)
    }
    /// Round parameters out of range.
    public static func invalidConfiguration(_ message: String, file: String = #fileID, line: Int = #line) -> Self {
        Self(.invalidConfiguration, message, cause: nil, file: file, line: line)
    }
    /// An input out of range.
    public static func invalidInput(
        _ message: String, cause: CryptoError? = nil,
        file: String = #fileID, line: Int = #line
    ) -> Self {
        Self(.invalidInput, message, cause: cause, file: file, line: line)
    }
}

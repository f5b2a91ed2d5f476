import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Logging

/// An error of the coordinator, with a machine-readable code that maps to an HTTP status.
public struct CoordinatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as API clients see it.
    public enum Code: String, Sendable {
        /// Bad configuration at start-up (files, flags, database URL).
        case configuration = "configuration_error"
        /// The request is malformed or fails validation (400).
        case invalidRequest = "invalid_request"
        /// No or an unknown/revoked/expired token (401).
        case unauthorized
        /// The token's role is not admitted by the endpoint (403).
        case forbidden
        /// The named resource does not exist (404).
        case notFound = "not_found"
        /// The request conflicts with the current state, e.g. a message for a stage that is closed (409).
        case conflict
        /// The body is larger than the endpoint accepts (413).
        case payloadTooLarge = "payload_too_large"
        /// The campaign's privacy budget refuses the operation (409).
        case budgetExhausted = "budget_exhausted"
        /// The coordinator is shutting down or the database is unavailable (503).
        case unavailable
        /// A bug or an unexpected storage failure (500); the message is generic.
        case `internal` = "internal_error"

        /// The HTTP status for the code.
        public var status: Int {
            switch self {
            case .invalidRequest: 400
            case .unauthorized: 401
            case .forbidden: 403
            case .notFound: 404
            case .conflict, .budgetExhausted: 409
            case .payloadTooLarge: 413
            case .unavailable: 503
            case .configuration, .internal: 500
            }
        }
    }

    /// The code.
    public let code: Code
    /// A message for the caller: never a secret, a token or personal data.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

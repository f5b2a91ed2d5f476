/// A request body that fails validation; the coordinator answers it with 400 `invalid_request`.
public struct APIValidationError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public let message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

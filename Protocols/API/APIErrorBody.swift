public import Foundation

/// The JSON error body every failing request gets: `{"error": {"code": …, "message": …}}`.
public struct APIErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }
    public var error: Detail
    public init(error: Detail) {
        self.error = error
    }
}

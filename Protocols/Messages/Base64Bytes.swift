internal import Foundation

/// Stores a byte string that travels in JSON as one base64 string rather than an array of numbers.
@propertyWrapper
public struct Base64Bytes: Codable, Sendable, Hashable {
    /// The bytes.
    public var wrappedValue: [UInt8]

    /// Wraps bytes.
    public init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected base64 text"))
        }
        wrappedValue = [UInt8](data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(wrappedValue).base64EncodedString())
    }
}

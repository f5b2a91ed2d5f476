/// A 32-byte public key (Ed25519 or X25519), safe to print, compare and serialise.
public struct PublicKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The raw key bytes.
    public let bytes: [UInt8]

    /// Wraps 32 raw bytes.
    public init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 32 else { throw CryptoError(.invalidKey, "a public key is 32 bytes, found \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal characters.
    public init(hex: String) throws(CryptoError) {
        guard hex.utf8.count == 64 else {
            throw CryptoError(.invalidKey, "a public key is 64 hexadecimal characters, found \(hex.utf8.count)")
        }
        guard let bytes = [UInt8](hex: hex) else {
            throw CryptoError(.invalidKey, "public key contains a character that is not hexadecimal")
        }
        self.bytes = bytes
    }

    /// Lower-case hexadecimal.
    public var hex: String { bytes.hexString }

    public var description: String { hex }

    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try PublicKey(hex: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

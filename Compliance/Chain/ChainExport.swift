public import Foundation

/// A chain as a file: what an auditor receives and verifies offline (`eqm audit verify`).
public struct ChainExport: Codable, Sendable, Hashable {
    /// The chain's name ("audit" or "ledger").
    public var chain: String
    /// Every link, in order.
    public var links: [ChainLink]
    /// Every signed checkpoint.
    public var checkpoints: [ChainCheckpoint]

    /// Creates an export.
    public init(chain: String, links: [ChainLink], checkpoints: [ChainCheckpoint]) {
        self.chain = chain
        self.links = links
        self.checkpoints = checkpoints
    }

    /// Exports a stored chain.
    public init(chain: String, store: any ChainStore) throws {
        self.init(chain: chain, links: try store.links(from: 0), checkpoints: try store.checkpoints())
    }

    /// The file's bytes (pretty JSON, sorted keys: stable and diff-friendly).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads an export, refusing files larger than `maximumBytes` before parsing them.
    public static func read(contentsOf url: URL, maximumBytes: Int = 1 << 30) throws -> ChainExport {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        if let size = attributes[.size] as? Int, size > maximumBytes {
            throw ComplianceError(
                .invalidInput, "\(url.lastPathComponent) is \(size) bytes; exports above \(maximumBytes) bytes are refused")
        }
        do {
            return try JSONDecoder().decode(ChainExport.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw ComplianceError(.invalidInput, "\(url.lastPathComponent) is not a chain export: \(Self.describe(error))")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): "invalid JSON at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        @unknown default: "unreadable"
        }
    }
}

/// A share a survivor reveals to the server in the unmask stage: its share of a neighbour's
/// self-mask seed (the neighbour survived) or of its mask-agreement secret key (it dropped).
///
/// Descriptions never show the values.
public struct RevealedShare: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The participant whose secret this is a share of.
    public var owner: Int
    /// ``ShamirSecretSharing/chunkCount`` field elements.
    public var values: [UInt64]

    /// Creates a revealed share.
    public init(owner: Int, values: [UInt64]) {
        self.owner = owner
        self.values = values
    }

    public var description: String { "RevealedShare(owner \(owner), redacted)" }
    public var debugDescription: String { description }
}

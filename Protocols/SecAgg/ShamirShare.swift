/// One Shamir share of a 32-byte secret: the value of each chunk's polynomial at one point.
///
/// Its description never shows the values.
public struct ShamirShare: Sendable, Hashable, CustomStringConvertible {
    /// The evaluation point (a holder's participant index + 1 in secure aggregation).
    public var point: UInt64
    /// One field element per chunk of the secret (``ShamirSecretSharing/chunkCount``).
    public var values: [UInt64]

    /// Creates a share.
    public init(point: UInt64, values: [UInt64]) {
        self.point = point
        self.values = values
    }

    public var description: String { "ShamirShare(point \(point), \(values.count) values, redacted)" }
}

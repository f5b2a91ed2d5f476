/// The outcome of a round at the server: the sum of the survivors' vectors in ℤ_2³², who is in it,
/// and what it delivered for differential privacy.
public struct AggregationResult: Sendable, Hashable {
    /// Σ over survivors of their quantised (and noised) vectors, modulo 2³²; decode it with
    /// ``UpdateEncoding/decode(sum:)``.
    public var sum: [UInt32]
    /// Participants whose input is in the sum, ascending.
    public var survivors: [Int]
    /// Participants of the round whose input is not in the sum.
    public var dropouts: Int
    /// The noise actually achieved, for the DP ledger.
    public var privacy: RoundPrivacyReport

    /// Creates a result.
    public init(sum: [UInt32], survivors: [Int], dropouts: Int, privacy: RoundPrivacyReport) {
        self.sum = sum
        self.survivors = survivors
        self.dropouts = dropouts
        self.privacy = privacy
    }
}

/// An (ε, δ) differential-privacy guarantee computed by an accountant.
///
/// ε is `+infinity` when no finite ε holds at this δ (a round without noise).
public struct PrivacyGuarantee: Hashable, Sendable {
    /// The privacy-loss bound ε ≥ 0 (natural logarithm units), or +∞.
    public var epsilon: Double
    /// The failure probability δ the ε holds at.
    public var delta: Double
    /// For RDP: the Rényi order at which the conversion to (ε, δ) was tightest; nil for other accountants.
    public var optimalOrder: Double?

    /// Creates a guarantee.
    public init(epsilon: Double, delta: Double, optimalOrder: Double? = nil) {
        self.epsilon = epsilon
        self.delta = delta
        self.optimalOrder = optimalOrder
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one round actually delivered for differential privacy, for the DP ledger: the noise
/// multiplier achieved given the survivors and the quantisation, not the one configured.
///
/// All quantities are in the scaled integer domain where the analysis holds. The sensitivity
/// includes stochastic rounding: a clipped update of norm ≤ C becomes an integer vector of norm
/// ≤ s·C + √D, and that bound, not s·C, is what the noise is measured against.
public struct RoundPrivacyReport: Codable, Sendable, Hashable {
    /// Where the noise was added.
    public var mode: PrivacyMode
    /// The configured noise multiplier σ.
    public var targetNoiseMultiplier: Double
    /// The standard deviation of the noise in the released sum divided by the sensitivity:
    /// √(survivors · σ²ᵢ) / (s·C + √D). Zero when no noise was added.
    public var achievedNoiseMultiplier: Double
    /// In `local` mode, the multiplier protecting each node's own update without secure aggregation
    /// (σᵢ / (s·C + √D)); nil otherwise.
    public var localNoiseMultiplier: Double?
    /// The L2 clip norm C (in model units).
    public var clipNorm: Double
    /// Nodes whose masked input is in the sum.
    public var survivors: Int
    /// Participants of the round that are not in the sum.
    public var dropouts: Int
    /// The quantisation scale s (integer steps per model unit).
    public var scale: Double
    /// The L2 sensitivity bound s·C + √D in the scaled domain.
    public var sensitivity: Double
    /// The discrete Gaussian variance parameter σ²ᵢ each node used.
    public var nodeNoiseVariance: UInt64
    /// ρ such that the round is ρ-zero-concentrated DP (before subsampling), from Kairouz, Liu and
    /// Steinke 2021, Theorem 1, for the sum of `survivors` discrete Gaussians; nil without noise.
    public var concentratedDPRho: Double?
    /// Whether the achieved multiplier reaches the target.
    public var meetsTarget: Bool

    /// Creates a report.
    public init(
        mode: PrivacyMode, targetNoiseMultiplier: Double, achievedNoiseMultiplier: Double,
        localNoiseMultiplier: Double?, clipNorm: Double, survivors: Int, dropouts: Int, scale: Double,
        sensitivity: Double, nodeNoiseVariance: UInt64, concentratedDPRho: Double?, meetsTarget: Bool
    ) {
        self.mode = mode
        self.targetNoiseMultiplier = targetNoiseMultiplier
        self.achievedNoiseMultiplier = achievedNoiseMultiplier
        self.localNoiseMultiplier = localNoiseMultiplier
        self.clipNorm = clipNorm
        self.survivors = survivors
        self.dropouts = dropouts
        self.scale = scale
        self.sensitivity = sensitivity
        self.nodeNoiseVariance = nodeNoiseVariance
        self.concentratedDPRho = concentratedDPRho
        self.meetsTarget = meetsTarget
    }

    /// The KLS21 bound: the sum of m independent N_ℤ(0, σ²) in d dimensions with L2 sensitivity Δ
    /// is ½ε²-zCDP with ε = min{√(Δ²/(mσ²) + 2τd), Δ/(√m·σ) + τ√d},
    /// τ = 10 Σ_{k=1}^{m−1} exp(−2π²σ²·k/(k+1)). Returns ρ = ε²/2.
    public static func distributedDiscreteGaussianRho(
        summands m: Int, variance: Double, sensitivity: Double,
        dimension: Int
    ) -> Double {
        precondition(m >= 1 && variance > 0 && sensitivity >= 0 && dimension >= 1)
        var tau = 0.0
        if m > 1 {
            for k in 1..<m {
                let term = exp(-2 * Double.pi * Double.pi * variance * Double(k) / Double(k + 1))
                if term == 0 { break }
                tau += term
            }
        }
        tau *= 10
        let total = Double(m) * variance
        let first = (sensitivity * sensitivity / total + 2 * tau * Double(dimension)).squareRoot()
        let second = sensitivity / total.squareRoot() + tau * Double(dimension).squareRoot()
        let epsilon = min(first, second)
        return epsilon * epsilon / 2
    }
}

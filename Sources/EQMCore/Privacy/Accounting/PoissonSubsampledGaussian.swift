/// `steps` rounds of the Poisson-subsampled Gaussian mechanism, all with the same parameters.
///
/// Each round includes every unit of privacy (a user, in the federation) independently with
/// probability ``samplingRate``, clips each included contribution to L2 norm C and adds
/// N(0, (σ·C)²) noise to their sum, σ being ``noiseMultiplier``. Neighbouring datasets differ by
/// adding or removing one unit. This is the mechanism of DP-FedAvg and DP-SGD with Poisson sampling,
/// and the "PoissonSampledDpEvent(q, GaussianDpEvent(σ))" of Google's dp-accounting, so anyone can
/// recompute an ε from these three numbers with another library.
public struct PoissonSubsampledGaussian: Hashable, Sendable, Codable {
    /// The probability q in (0, 1] that a unit takes part in a round; 1 means no subsampling.
    public let samplingRate: Double
    /// The noise multiplier σ ≥ 0: noise standard deviation over clip norm. 0 means no privacy.
    public let noiseMultiplier: Double
    /// How many rounds, at least 1.
    public let steps: Int

    /// Creates the description of `steps` rounds; throws if a parameter is out of range.
    public init(samplingRate: Double, noiseMultiplier: Double, steps: Int = 1) throws(EQMCoreError) {
        guard samplingRate > 0, samplingRate <= 1 else {
            throw .invalidConfiguration("sampling rate must be in (0, 1], found \(samplingRate)")
        }
        guard noiseMultiplier >= 0, noiseMultiplier.isFinite else {
            throw .invalidConfiguration("noise multiplier must be a finite number ≥ 0, found \(noiseMultiplier)")
        }
        guard steps >= 1 else { throw .invalidConfiguration("steps must be at least 1, found \(steps)") }
        self.samplingRate = samplingRate
        self.noiseMultiplier = noiseMultiplier
        self.steps = steps
    }

    private enum CodingKeys: String, CodingKey {
        case samplingRate = "sampling_rate", noiseMultiplier = "noise_multiplier", steps
    }

    /// Decodes and validates, so a ledger entry with out-of-range parameters is rejected on reading.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            samplingRate: container.decode(Double.self, forKey: .samplingRate),
            noiseMultiplier: container.decode(Double.self, forKey: .noiseMultiplier),
            steps: container.decode(Int.self, forKey: .steps))
    }

    /// Encodes the three parameters with snake-case keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(samplingRate, forKey: .samplingRate)
        try container.encode(noiseMultiplier, forKey: .noiseMultiplier)
        try container.encode(steps, forKey: .steps)
    }

    /// The same mechanism run for a different number of rounds.
    public func repeated(steps: Int) throws(EQMCoreError) -> PoissonSubsampledGaussian {
        try PoissonSubsampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: steps)
    }
}

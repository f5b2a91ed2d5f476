/// What an accountant is asked about: rounds of the Poisson-subsampled Gaussian mechanism, composed.
///
/// Rounds may differ in sampling rate and noise multiplier (a campaign whose selection rate or
/// achieved noise changes from round to round); composition is order-independent for both
/// accountants. An empty event spends nothing (ε = 0).
///
/// ```swift
/// var event = try PrivacyEvent(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 500)
/// event.compose(try PrivacyEvent(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 200))
/// let guarantee = try RDPAccountant().guarantee(for: event, delta: 1e-5)
/// ```
public struct PrivacyEvent: Hashable, Sendable, Codable {
    /// The composed rounds, in the order they were added.
    public private(set) var rounds: [PoissonSubsampledGaussian]

    /// Composes the given rounds (none: the empty event).
    public init(_ rounds: [PoissonSubsampledGaussian] = []) {
        self.rounds = rounds
    }

    /// `steps` rounds of one Poisson-subsampled Gaussian mechanism.
    public init(samplingRate: Double, noiseMultiplier: Double, steps: Int) throws(EQMCoreError) {
        self.rounds = [try PoissonSubsampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, steps: steps)]
    }

    /// Appends another event's rounds (composition).
    public mutating func compose(_ other: PrivacyEvent) {
        rounds += other.rounds
    }

    /// Appends rounds of one mechanism (composition).
    public mutating func compose(_ round: PoissonSubsampledGaussian) {
        rounds.append(round)
    }

    /// This event followed by another (composition).
    public func composed(with other: PrivacyEvent) -> PrivacyEvent {
        PrivacyEvent(rounds + other.rounds)
    }

    /// The total number of rounds.
    public var steps: Int { rounds.reduce(0) { $0 + $1.steps } }

    /// Rounds with equal (q, σ) merged into one with their steps summed, in first-seen order:
    /// what the accountants compute with (each distinct mechanism is analysed once).
    var merged: [PoissonSubsampledGaussian] {
        var result: [PoissonSubsampledGaussian] = []
        var index: [Key: Int] = [:]
        for round in rounds {
            let key = Key(samplingRate: round.samplingRate, noiseMultiplier: round.noiseMultiplier)
            if let position = index[key] {
                // The initialiser cannot fail: the parameters were valid and steps only grew.
                result[position] = try! result[position].repeated(steps: result[position].steps + round.steps)
            } else {
                index[key] = result.count
                result.append(round)
            }
        }
        return result
    }

    private struct Key: Hashable {
        var samplingRate: Double
        var noiseMultiplier: Double
    }
}

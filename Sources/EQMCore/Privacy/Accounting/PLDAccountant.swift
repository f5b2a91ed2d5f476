/// Privacy-loss-distribution accountant for composed Poisson-subsampled Gaussian rounds.
///
/// For each adjacency direction (remove and add; one suffices when q = 1, where they coincide) the
/// privacy loss distribution of every distinct round is discretised pessimistically with the
/// connect-the-dots construction on the grid {kΔ}, composed over all rounds by FFT, and converted
/// to ε at δ; the reported ε is the larger of the two directions. Every step preserves an upper bound:
/// the discretisation dominates the true distribution, the truncated tails are charged to δ, and the
/// composition of dominating distributions dominates (see the PrivacyAccounting article).
///
/// ## Discretisation interval
/// With ``Discretization/adaptive`` (the default) Δ is chosen per query and per direction (the two
/// directions are composed separately). Connect-the-dots is exact at grid points, so its error is
/// second order: splitting each round's loss between two neighbouring grid points adds at most Δ²/4 to
/// its variance. Δ = max(1e-4, min(Δ_accuracy, Δ_cost)), where Δ_accuracy keeps that inflation below
/// 0.1% of the step-weighted mean variance of one round's loss (ε then stays within ≈ 0.1% of the
/// Δ → 0 limit), Δ_cost is the interval at which the composed window spans 2¹⁶ grid points, and 1e-4
/// is dp-accounting's interval (never finer, so that where dp-accounting's own discretisation error
/// is noticeable both carry the same error). Whatever Δ is chosen, the result remains an upper
/// bound; Δ only trades tightness for time. ``Discretization/fixed(interval:)`` uses one Δ for every
/// query. ``intervals(for:delta:)`` reports the choice.
public struct PLDAccountant: PrivacyAccountant {
    /// How the grid spacing Δ of the privacy loss is chosen.
    public enum Discretization: Hashable, Sendable {
        /// Per query, from the mechanism (see the type's discussion).
        case adaptive
        /// One fixed Δ in [1e-6, 1] (nats); dp-accounting's default is 1e-4.
        case fixed(interval: Double)
    }

    /// How Δ is chosen.
    public let discretization: Discretization

    /// The finest interval the adaptive rule uses: dp-accounting's default.
    public static let finestAdaptiveInterval = 1e-4

    /// Creates an accountant; throws if a fixed interval is out of range.
    public init(discretization: Discretization = .adaptive) throws(EQMCoreError) {
        if case .fixed(let interval) = discretization, !(interval >= 1e-6 && interval <= 1) {
            throw .invalidConfiguration("PLD discretisation interval must be in [1e-6, 1], found \(interval)")
        }
        self.discretization = discretization
    }

    /// "pld".
    public var name: String { "pld" }

    /// The algorithm version and its discretisation.
    public var version: String {
        switch discretization {
        case .adaptive: "1.0.0 connect-the-dots interval=adaptive(min=1e-4,variance-inflation=1e-3)"
        case .fixed(let interval): "1.0.0 connect-the-dots interval=\(interval)"
        }
    }

    /// The (ε, δ) guarantee of `event`: the larger ε of the remove and add directions.
    public func guarantee(for event: PrivacyEvent, delta: Double) throws(EQMCoreError) -> PrivacyGuarantee {
        try Self.validate(delta: delta)
        let rounds = event.merged
        if rounds.isEmpty { return PrivacyGuarantee(epsilon: 0, delta: delta) }
        if rounds.contains(where: { $0.noiseMultiplier == 0 }) { return PrivacyGuarantee(epsilon: .infinity, delta: delta) }
        var epsilon = 0.0
        for direction in Self.directions(rounds) {
            let interval = self.interval(for: rounds, direction: direction, delta: delta)
            let composed = Self.composedLoss(rounds, direction: direction, interval: interval, delta: delta)
            epsilon = Swift.max(epsilon, composed.epsilon(delta: delta))
        }
        return PrivacyGuarantee(epsilon: epsilon, delta: delta)
    }

    /// The discretisation intervals Δ this accountant uses for `event` at `delta`, per direction (the
    /// two directions are composed separately, so each has its own grid; equal when q = 1).
    public func intervals(for event: PrivacyEvent, delta: Double) -> (remove: Double, add: Double) {
        let rounds = event.merged.filter { $0.noiseMultiplier > 0 }
        guard !rounds.isEmpty else { return (Self.finestAdaptiveInterval, Self.finestAdaptiveInterval) }
        let remove = interval(for: rounds, direction: .remove, delta: delta)
        return (remove, Self.directions(rounds).count == 1 ? remove : interval(for: rounds, direction: .add, delta: delta))
    }

    // MARK: - Internals

    /// Both directions, or only remove when every round has q = 1 (the two distributions coincide).
    static func directions(_ rounds: [PoissonSubsampledGaussian]) -> [AdjacencyDirection] {
        rounds.allSatisfy { $0.samplingRate == 1 } ? [.remove] : [.remove, .add]
    }

    /// The composed discretised loss of all rounds in one direction.
    static func composedLoss(
        _ rounds: [PoissonSubsampledGaussian], direction: AdjacencyDirection, interval: Double,
        delta: Double
    ) -> DiscretePrivacyLoss {
        let steps = rounds.reduce(0) { $0 + $1.steps }
        // Each round's truncated tails cost at most steps·tail in δ: keep that ≤ 1e-4·δ.
        let roundTail = roundTailMass(delta: delta, steps: steps)
        let parts = rounds.map { round in
            (
                loss: DiscretePrivacyLoss.connectTheDots(
                    direction: direction, samplingRate: round.samplingRate,
                    noiseMultiplier: round.noiseMultiplier, interval: interval,
                    tailMass: roundTail),
                times: round.steps
            )
        }
        return DiscretePrivacyLoss.composition(of: parts, tailMass: compositionTail(delta))
    }

    /// The P-mass each round's discretisation truncates at either end of its loss range.
    static func roundTailMass(delta: Double, steps: Int) -> Double {
        Swift.max(1e-300, Swift.min(1e-10, 1e-4 * delta / Double(steps)))
    }

    /// The Chernoff truncation of the composition, charged to δ: negligible against it.
    static func compositionTail(_ delta: Double) -> Double { Swift.max(1e-300, Swift.min(1e-15, 1e-6 * delta)) }

    /// Target number of grid points of the composed window.
    static let targetWindow = 1 << 16
    /// Allowed relative inflation of the per-round loss variance by the discretisation.
    static let varianceInflation = 1e-3

    func interval(for rounds: [PoissonSubsampledGaussian], direction: AdjacencyDirection, delta: Double) -> Double {
        switch discretization {
        case .fixed(let interval):
            return interval
        case .adaptive:
            return Self.adaptiveInterval(rounds, direction: direction, delta: delta)
        }
    }

    /// Δ = max(1e-4, min(Δ_accuracy, Δ_cost)) for one direction; see the type's discussion.
    static func adaptiveInterval(
        _ rounds: [PoissonSubsampledGaussian], direction: AdjacencyDirection,
        delta: Double
    ) -> Double {
        let totalSteps = rounds.reduce(0) { $0 + $1.steps }
        let roundTail = roundTailMass(delta: delta, steps: totalSteps)
        // Accuracy: Δ²/4 ≤ inflation × (step-weighted mean variance of one round's loss).
        var weightedVariance = 0.0
        var widestRange = 0.0
        for round in rounds {
            let loss = SubsampledGaussianLoss(
                direction: direction, samplingRate: round.samplingRate,
                noiseMultiplier: round.noiseMultiplier)
            weightedVariance += Double(round.steps) * loss.moments().variance
            let bounds = loss.lossBounds(tailMass: roundTail)
            widestRange = Swift.max(widestRange, bounds.top - bounds.bottom)
        }
        let accuracyInterval = (4 * varianceInflation * weightedVariance / Double(totalSteps)).squareRoot()
        // Cost: the composed window from a coarse pilot discretisation.
        let pilotInterval = Swift.max(finestAdaptiveInterval, widestRange / 2048)
        let pilot = rounds.map { round in
            (
                loss: DiscretePrivacyLoss.connectTheDots(
                    direction: direction, samplingRate: round.samplingRate,
                    noiseMultiplier: round.noiseMultiplier,
                    interval: pilotInterval, tailMass: roundTail
                ).trimmed(),
                times: round.steps
            )
        }
        let window = DiscretePrivacyLoss.chernoffWindow(pilot, tailMass: compositionTail(delta))
        let windowNats = Double(window.upper - window.lower + 1) * pilotInterval
        let costInterval = Swift.max(windowNats / Double(targetWindow), widestRange / Double(4 * targetWindow))
        return Swift.max(finestAdaptiveInterval, Swift.min(accuracyInterval, costInterval))
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The neighbour count k, threshold t and survivor floor of a SecAgg+ round, with the failure
/// bounds that justify them (see the SecureAggregation article for the derivation and a table).
///
/// The analysis assumes each participant drops out independently with probability `dropoutRate`
/// (at any stage), and that a fixed set of ⌈`corruptionFraction` · n⌉ participants, chosen before
/// the round seed is drawn, colludes with the server. A participant's neighbourhood is then a
/// uniformly random k-subset of the others (``NeighborGraph``), so
///
/// - **completion**: every participant keeps at least t live neighbours, so every needed secret can
///   be reconstructed: `n · P[Binomial(k, 1 − dropout) < t]` (a union bound over the n owners),
///   plus `P[Binomial(n, 1 − dropout) < minimumSurvivors]` for the survivor floor;
/// - **security**: the server and c corrupted neighbours of an honest owner cannot collect t shares
///   of *both* of its secrets. Honest holders reveal one secret or the other, never both, so the
///   server could get t of each only if `2t ≤ k + c`; we need `c < 2t − k` for every honest owner:
///   `n · P[Hypergeometric(n − 1, ⌈γn⌉, k) ≥ 2t − k]`. This implies both t > k/2 and t > c;
/// - **isolation**: no honest survivor has all k neighbours corrupted or dropped (its pairwise
///   masks would all be removable): `n · Σ_c P[c corrupted] · dropout^(k − c)`.
public struct SecAggParameters: Codable, Sendable, Hashable {
    /// The neighbour count k (even, or n − 1 for the complete graph).
    public var neighbors: Int
    /// The Shamir threshold t.
    public var threshold: Int
    /// The fewest survivors (masked inputs) with which the server unmasks and a client reveals shares.
    public var minimumSurvivors: Int
    /// The dropout probability assumed.
    public var dropoutRate: Double
    /// The fraction of participants assumed to collude with the server.
    public var corruptionFraction: Double
    /// Upper bound on the probability that the round cannot complete.
    public var completionFailureBound: Double
    /// Upper bound on the probability that some honest participant's secrets are both exposed.
    public var securityFailureBound: Double
    /// Upper bound on the probability that some honest survivor has no honest live neighbour.
    public var isolationBound: Double

    /// The default dropout rate the defaults are computed for (10%).
    public static let defaultDropoutRate = 0.1
    /// The default corruption fraction (5% of participants collude with the server).
    public static let defaultCorruptionFraction = 0.05
    /// The default bound on a failed round (10⁻⁵: a round completes with probability > 0.99999).
    public static let defaultFailureProbability = 1e-5
    /// The default bound on a security failure (2⁻⁴⁰).
    public static let defaultSecurityFailureProbability = 0x1p-40

    /// The failure bounds of a given (n, k, t, survivor floor).
    public static func analyze(
        participants n: Int, neighbors k: Int, threshold t: Int, minimumSurvivors: Int,
        dropoutRate: Double, corruptionFraction: Double
    ) -> SecAggParameters {
        let corrupted = min(n - 1, Int((corruptionFraction * Double(n)).rounded(.up)))
        let neighbourTail = TailProbability.binomialCDF(trials: k, success: 1 - dropoutRate)
        let survivorTail = TailProbability.binomialCDF(trials: n, success: 1 - dropoutRate)
        let corruptedNeighbours = TailProbability.hypergeometricSurvival(population: n - 1, successes: corrupted, draws: k)
        let completion =
            Double(n) * (t >= 1 ? neighbourTail[min(t - 1, k)] : 0)
            + (minimumSurvivors >= 1 ? survivorTail[min(minimumSurvivors - 1, n)] : 0)
        let needed = 2 * t - k
        let security = needed <= 0 ? 1 : Double(n) * corruptedNeighbours[min(needed, k + 1)]
        return SecAggParameters(
            neighbors: k, threshold: t, minimumSurvivors: minimumSurvivors, dropoutRate: dropoutRate,
            corruptionFraction: corruptionFraction, completionFailureBound: min(1, completion),
            securityFailureBound: min(1, security),
            isolationBound: min(1, isolation(participants: n, neighbors: k, corrupted: corrupted, dropoutRate: dropoutRate)))
    }

    /// The smallest k (and with it the smallest t) that meets both failure targets for n participants.
    ///
    /// For each candidate k (even values, then n − 1) the largest t that still completes and the
    /// smallest t that is secure are computed from exact tails; the first k where the two meet wins,
    /// with the smallest secure t (the most dropout-tolerant choice). The survivor floor is the
    /// largest count that n · (1 − dropout) survivors reach with probability 1 − target/2, and never
    /// below t. Failure budget: half of `failureProbability` for the neighbourhoods, half for the floor.
    ///
    /// - Throws: ``ProtocolError`` `invalidConfiguration` when the arguments are out of range or no
    ///   k ≤ n − 1 meets the targets (small cohorts: relax the targets or lower the corruption).
    public static func recommended(
        participants n: Int, dropoutRate: Double = defaultDropoutRate, corruptionFraction: Double = defaultCorruptionFraction,
        failureProbability: Double = defaultFailureProbability,
        securityFailureProbability: Double = defaultSecurityFailureProbability
    ) throws(ProtocolError) -> SecAggParameters {
        guard n >= 3, n <= WireProtocol.maximumParticipants else {
            throw .invalidConfiguration(
                "parameters are computed for 3...\(WireProtocol.maximumParticipants) participants, found \(n)")
        }
        guard dropoutRate >= 0, dropoutRate < 1, corruptionFraction >= 0, corruptionFraction < 0.5 else {
            throw .invalidConfiguration(
                "dropout rate must be in [0, 1) and corruption fraction in [0, 0.5), found \(dropoutRate) and \(corruptionFraction)"
            )
        }
        guard failureProbability > 0, failureProbability < 1, securityFailureProbability > 0, securityFailureProbability < 1
        else {
            throw .invalidConfiguration(
                "failure targets must be in (0, 1), found \(failureProbability) and \(securityFailureProbability)")
        }
        let corrupted = min(n - 1, Int((corruptionFraction * Double(n)).rounded(.up)))
        let survivorTail = TailProbability.binomialCDF(trials: n, success: 1 - dropoutRate)
        var floor = n
        while floor > 1 && survivorTail[floor - 1] > failureProbability / 2 { floor -= 1 }

        var candidates = Array(stride(from: 2, to: min(n - 1, 4096), by: 2))
        candidates.append(n - 1)
        for k in candidates {
            let neighbourTail = TailProbability.binomialCDF(trials: k, success: 1 - dropoutRate)
            // Largest t whose union bound over n owners stays within half the budget.
            var largest = 0
            for t in stride(from: k, through: 1, by: -1) where Double(n) * neighbourTail[t - 1] <= failureProbability / 2 {
                largest = t
                break
            }
            guard largest > k / 2 else { continue }
            let corruptedNeighbours = TailProbability.hypergeometricSurvival(population: n - 1, successes: corrupted, draws: k)
            guard
                let smallest = ((k / 2 + 1)...largest).first(where: { t in
                    Double(n) * corruptedNeighbours[min(2 * t - k, k + 1)] <= securityFailureProbability
                })
            else { continue }
            guard
                isolation(participants: n, neighbors: k, corrupted: corrupted, dropoutRate: dropoutRate)
                    <= securityFailureProbability
            else { continue }
            return analyze(
                participants: n, neighbors: k, threshold: smallest, minimumSurvivors: max(floor, smallest),
                dropoutRate: dropoutRate, corruptionFraction: corruptionFraction)
        }
        throw .invalidConfiguration(
            "no neighbour count up to \(n - 1) meets a completion failure of \(failureProbability) and a security failure of \(securityFailureProbability) for \(n) participants with \(dropoutRate) dropout and \(corruptionFraction) corruption"
        )
    }

    /// n · Σ_c P[c of k neighbours corrupted] · dropout^(k − c).
    static func isolation(participants n: Int, neighbors k: Int, corrupted: Int, dropoutRate: Double) -> Double {
        let survival = TailProbability.hypergeometricSurvival(population: n - 1, successes: corrupted, draws: k)
        var total = 0.0
        for c in 0...k {
            let exactly = survival[c] - survival[c + 1]
            guard exactly > 0 else { continue }
            total += exactly * pow(dropoutRate, Double(k - c))
        }
        return Double(n) * total
    }
}

extension SecAggParameters {
    /// k, t and the survivor floor for a round of `n` participants: the recommended values when
    /// some k meets the failure bounds, else (small cohorts) the complete graph with a majority
    /// threshold, and a floor of at least `minimumParticipants` (capped at n).
    public static func forRound(
        participants n: Int, dropoutRate: Double = 0.1, corruptionFraction: Double = 0.05, minimumParticipants: Int = 3
    ) -> (neighbors: Int, threshold: Int, minimumSurvivors: Int) {
        if let recommended = try? recommended(participants: n, dropoutRate: dropoutRate, corruptionFraction: corruptionFraction) {
            return (recommended.neighbors, recommended.threshold, recommended.minimumSurvivors)
        }
        let threshold = n / 2 + 1
        return (n - 1, threshold, max(threshold, min(n, minimumParticipants)))
    }
}

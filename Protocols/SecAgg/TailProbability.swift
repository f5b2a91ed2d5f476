#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exact binomial and hypergeometric tails, summed term by term in log space (no normal or
/// Chernoff approximation), for the parameter analysis of ``SecAggParameters``.
enum TailProbability {
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// `cdf[x] = P(X ≤ x)` for X ~ Binomial(trials, success), x in 0...trials.
    static func binomialCDF(trials: Int, success: Double) -> [Double] {
        precondition(trials >= 0 && success >= 0 && success <= 1)
        var cdf = [Double](repeating: 0, count: trials + 1)
        if success == 1 {
            cdf[trials] = 1
            return cdf
        }
        if success == 0 { return [Double](repeating: 1, count: trials + 1) }
        let logSuccess = log(success), logFailure = log1p(-success)
        var running = 0.0
        for x in 0...trials {
            running += exp(logChoose(trials, x) + Double(x) * logSuccess + Double(trials - x) * logFailure)
            cdf[x] = min(running, 1)
        }
        return cdf
    }

    /// `survival[x] = P(X ≥ x)` for X ~ Hypergeometric(population, successes, draws), x in 0...draws + 1.
    static func hypergeometricSurvival(population: Int, successes: Int, draws: Int) -> [Double] {
        precondition(successes >= 0 && successes <= population && draws >= 0 && draws <= population)
        var survival = [Double](repeating: 0, count: draws + 2)
        let logTotal = logChoose(population, draws)
        var running = 0.0
        for x in stride(from: draws, through: 0, by: -1) {
            if x <= successes && draws - x <= population - successes {
                running += exp(logChoose(successes, x) + logChoose(population - successes, draws - x) - logTotal)
            }
            survival[x] = min(running, 1)
        }
        return survival
    }
}

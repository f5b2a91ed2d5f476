/// Rényi differential privacy of one round of the Poisson-subsampled Gaussian mechanism
/// (Mironov, Talwar and Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism").
///
/// For add/remove adjacency the worst pair is μ₀ = N(0, σ²) against μ = (1 − q)·μ₀ + q·N(1, σ²), and
/// RDP of order α is ε(α) = log A_α / (α − 1) with
///
///     A_α = E_{z∼μ₀}[(μ(z)/μ₀(z))^α] = ∫ μ₀(z) · (1 − q + q·e^{(2z − 1)/(2σ²)})^α dz.
///
/// - Integer α: the binomial expansion A_α = Σᵢ C(α, i) qⁱ (1 − q)^{α−i} e^{(i² − i)/(2σ²)}, summed in log
///   space exactly as dp-accounting does (`_compute_log_a_int`).
/// - Fractional α: dp-accounting (`_compute_log_a_frac`) sums a two-sided series with erfc terms. That
///   series uses |C(α, i)| (an upper bound, up to 1% loose at α = 1.7, q = 0.1, σ = 0.5) and converges
///   only polynomially when σ is small, so dp-accounting gives up after 1000 terms and drops the order.
///   Here A_α is the integral itself, evaluated by the trapezoidal rule, which converges geometrically
///   for this analytic integrand: every order is computed, to about 1e-12 relative (checked against
///   the binomial sum at integer orders and against 40-digit quadrature in development).
enum SubsampledGaussianRDP {
    /// RDP of order `order` of one round (q in (0, 1], σ ≥ 0, order > 1).
    static func rdp(samplingRate q: Double, noiseMultiplier sigma: Double, order alpha: Double) -> Double {
        if sigma == 0 { return .infinity }
        if q == 1 { return alpha / (2 * sigma * sigma) }
        let logA =
            isIntegerOrder(alpha)
            ? logAIntegerOrder(samplingRate: q, noiseMultiplier: sigma, order: Int(alpha))
            : logAQuadrature(samplingRate: q, noiseMultiplier: sigma, order: alpha)
        return logA / (alpha - 1)
    }

    /// Orders handled by the exact binomial sum (its cost grows with α).
    static func isIntegerOrder(_ alpha: Double) -> Bool {
        alpha == alpha.rounded() && alpha <= Double(maximumIntegerOrder)
    }

    static let maximumIntegerOrder = 100_000

    /// log A_α for integer α by the binomial expansion, with the largest term factored out.
    static func logAIntegerOrder(samplingRate q: Double, noiseMultiplier sigma: Double, order alpha: Int) -> Double {
        let logQ = Math.log(q), log1mq = Math.log1p(-q)
        let inverseTwoVariance = 1 / (2 * sigma * sigma)
        let logFactorialAlpha = logFactorial(alpha)
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: alpha + 1) { terms in
            var largest = -Double.infinity
            for i in 0...alpha {
                let logBinomial = logFactorialAlpha - logFactorial(i) - logFactorial(alpha - i)
                let iDouble = Double(i)
                let term =
                    logBinomial + iDouble * logQ + Double(alpha - i) * log1mq
                    + (iDouble * iDouble - iDouble) * inverseTwoVariance
                terms[i] = term
                largest = Swift.max(largest, term)
            }
            var sum = 0.0
            for i in 0...alpha { sum += Math.exp(terms[i] - largest) }
            return largest + Math.log(sum)
        }
    }

    /// log A_α for any α > 1 by the trapezoidal rule on the integral above.
    ///
    /// With φ(z) = −z²/(2σ²) + α·log(1 − q + q·e^{(2z − 1)/(2σ²)}) the integrand is e^φ/(σ√(2π)):
    /// - φ increases for z < 0 and decreases for z > α (every stationary point lies in (0, α)), with
    ///   slopes beyond 12σ of those bounds large enough that the tails outside [−12σ, α + 12σ] are
    ///   below e^{−72} of the peak.
    /// - φ + z²/(2σ²) is convex, so on a cell of width w = σ/2 between lattice points φ exceeds the
    ///   larger end value by at most w²/(8σ²) = 1/32: a coarse scan finds every cell where the integrand
    ///   is within e^{−40} of its maximum, and only those cells are sampled finely.
    /// - The integrand is analytic in the strip |Im z| < πσ² (the first zero of 1 − q + q·e^u), so the
    ///   trapezoidal rule with step h ≤ min(σ/2, 0.35σ²) has relative error below ≈ e^{−34}.
    /// When A_α is close to 1 the sum is taken over μ₀·(R^α − 1) and log1p'd, keeping the tiny RDP of
    /// small q and large σ accurate in relative terms.
    static func logAQuadrature(samplingRate q: Double, noiseMultiplier sigma: Double, order alpha: Double) -> Double {
        let variance = sigma * sigma
        let inverseTwoVariance = 1 / (2 * variance)
        let logQ = Math.log(q), log1mq = Math.log1p(-q)
        let logNormalisation = Math.log(sigma * 2.5066282746310002)  // σ√(2π)

        // α·log(μ/μ₀)(z), accurate both near 0 (log1p/expm1) and for large z (no overflow).
        @inline(__always) func logRatioPower(_ z: Double) -> Double {
            let u = (2 * z - 1) * inverseTwoVariance
            if u < 1 { return alpha * Math.log1p(q * Math.expm1(u)) }
            return alpha * Math.logAddExp(log1mq, logQ + u)
        }
        @inline(__always) func phi(_ z: Double) -> Double { -z * z * inverseTwoVariance + logRatioPower(z) }

        let cell = sigma / 2
        let firstCell = Int(Math.floor(-12 * sigma / cell))
        let lastPoint = Int(Math.ceil((alpha + 12 * sigma) / cell))
        let pointCount = lastPoint - firstCell + 1
        let fineStep = Swift.min(sigma / 2, 0.35 * variance)
        let substeps = Swift.max(1, Int(Math.ceil(cell / fineStep)))
        let step = cell / Double(substeps)

        return withUnsafeTemporaryAllocation(of: Double.self, capacity: pointCount) { coarse in
            var peak = -Double.infinity
            for k in 0..<pointCount {
                coarse[k] = phi(Double(firstCell + k) * cell)
                peak = Swift.max(peak, coarse[k])
            }
            let threshold = peak - 40 - 1.0 / 32
            @inline(__always) func significant(_ k: Int) -> Bool {
                k < pointCount - 1 && Swift.max(coarse[k], coarse[k + 1]) >= threshold
            }
            let nearOne = peak < 30
            var sum = 0.0
            @inline(__always) func add(_ z: Double) {
                if nearOne {
                    let gaussian = -z * z * inverseTwoVariance
                    let power = logRatioPower(z)
                    // μ₀(z)·(R^α − 1): expm1 where R^α is near 1, the plain difference elsewhere.
                    sum += power < 1 ? Math.exp(gaussian) * Math.expm1(power) : Math.exp(gaussian + power) - Math.exp(gaussian)
                } else {
                    sum += Math.exp(phi(z) - peak)
                }
            }
            for k in 0..<(pointCount - 1) where significant(k) {
                let left = Double(firstCell + k) * cell
                for j in 0..<substeps { add(left + Double(j) * step) }
                if !significant(k + 1) { add(Double(firstCell + k + 1) * cell) }
            }
            if nearOne { return Math.log1p(sum * step / Math.exp(logNormalisation)) }
            return peak + Math.log(sum * step) - logNormalisation
        }
    }

    /// log k!, from a table for the default orders' range.
    @inline(__always) static func logFactorial(_ k: Int) -> Double {
        k < logFactorials.count ? logFactorials[k] : Math.logGamma(Double(k) + 1)
    }

    private static let logFactorials: [Double] = (0...2048).map { Math.logGamma(Double($0) + 1) }
}

/// A privacy loss distribution discretised on the grid {kΔ}: the probability, under the "upper"
/// distribution P of a dominating pair (P, Q), of each loss (lowerIndex + i)·Δ, plus the
/// probability of an infinite loss.
///
/// Its hockey-stick curve δ(ε) = p_∞ + Σ_{ℓ > ε} p_ℓ·(1 − e^{ε − ℓ}) bounds δ of the mechanism at ε.
struct DiscretePrivacyLoss {
    /// The grid spacing Δ (nats).
    var interval: Double
    /// The grid index of `probabilities[0]`.
    var lowerIndex: Int
    /// Probabilities of the finite losses, from the lowest.
    var probabilities: [Double]
    /// Probability of an infinite loss.
    var infinityMass: Double

    /// The grid index of the last probability.
    var upperIndex: Int { lowerIndex + probabilities.count - 1 }

    /// δ(ε) of this distribution.
    func delta(epsilon: Double) -> Double {
        var delta = infinityMass
        for (offset, probability) in probabilities.enumerated() {
            let loss = Double(lowerIndex + offset) * interval
            if loss > epsilon { delta -= Math.expm1(epsilon - loss) * probability }
        }
        return delta
    }

    /// The smallest ε ≥ 0 with δ(ε) ≤ `delta` (+∞ if none), as dp-accounting's `get_epsilon_for_delta`:
    /// walk down from the largest loss keeping the masses above, P(L > ε) and Σ p·e^{−ℓ}, and solve
    /// δ = P − e^ε·Σ between two grid points.
    func epsilon(delta: Double) -> Double {
        if infinityMass > delta { return .infinity }
        var upperMass = infinityMass, lowerMass = 0.0
        // e^{−loss} by a running product from the top, re-anchored on exp every 256 points.
        let growth = Math.exp(interval)
        var expMinusLoss = 0.0
        for offset in stride(from: probabilities.count - 1, through: 0, by: -1) {
            let loss = Double(lowerIndex + offset) * interval
            let probability = probabilities[offset]
            if upperMass > delta, lowerMass > 0, Math.log((upperMass - delta) / lowerMass) >= loss { break }
            expMinusLoss = offset % 256 == 0 || expMinusLoss == 0 ? Math.exp(-loss) : expMinusLoss * growth
            upperMass += probability
            lowerMass += expMinusLoss * probability
            if upperMass >= delta, lowerMass == 0 { return Swift.max(0, loss) }
        }
        if upperMass <= lowerMass + delta { return 0 }
        return Swift.max(0, Math.log((upperMass - delta) / lowerMass))
    }

    /// Mean and variance of the loss, in grid steps (finite part, normalised).
    var indexMoments: (mean: Double, variance: Double) {
        var total = 0.0, first = 0.0, second = 0.0
        for (offset, probability) in probabilities.enumerated() {
            let x = Double(offset)
            total += probability
            first += probability * x
            second += probability * x * x
        }
        guard total > 0 else { return (Double(lowerIndex), 0) }
        let mean = first / total
        return (Double(lowerIndex) + mean, Swift.max(0, second / total - mean * mean))
    }
}

/// Which neighbouring relation a privacy loss distribution describes.
enum AdjacencyDirection: CaseIterable {
    /// The dataset loses a unit: P = (1 − q)·N(0, σ²) + q·N(−1, σ²), Q = N(0, σ²).
    case remove
    /// The dataset gains a unit: P = N(0, σ²), Q = (1 − q)·N(0, σ²) + q·N(1, σ²).
    case add
}

extension DiscretePrivacyLoss {
    /// The pessimistic "connect-the-dots" discretisation (Doroshenko, Ghazi, Kamath, Kumar and
    /// Manurangsi 2022, Algorithm 1) of one round of the Poisson-subsampled Gaussian.
    ///
    /// The loss ℓ(x) = log(P(x)/Q(x)) is monotone in the output x, so every grid value ε_i maps to a
    /// threshold x_i and interval probabilities are differences of Gaussian CDFs. The P-mass m_P of
    /// losses in (ε_i, ε_{i+1}] is split between the two grid points so that both m_P and the Q-mass
    /// m_Q = E_P[e^{−ℓ}] of the interval are preserved:
    ///
    ///     p_i += (m_Q·e^{ε_{i+1}} − m_P) / (e^Δ − 1),   p_{i+1} += m_P − that.
    ///
    /// Hence δ(ε_i) is exact at every grid point and, δ being convex in e^ε, the piecewise-linear
    /// interpolation between grid points lies above the true curve: (P', Q') dominates (P, Q) for every ε,
    /// and dominance is preserved by composition. Computing the split from interval masses (not from
    /// second differences of δ as dp-accounting does) keeps tiny tail probabilities accurate in relative
    /// terms. The tails are handled pessimistically too:
    /// - losses above the top grid point: δ(ε_top) goes to +∞ and e^{ε_top}·Q(L > ε_top) to ε_top, which
    ///   keeps δ exact above as well; the top is chosen where P(L > ε_top) ≤ `tailMass`;
    /// - losses below the bottom grid point (P-mass ≤ `tailMass`) are rounded up to it.
    static func connectTheDots(
        direction: AdjacencyDirection, samplingRate q: Double, noiseMultiplier sigma: Double,
        interval: Double, tailMass: Double
    ) -> DiscretePrivacyLoss {
        precondition(sigma > 0 && q > 0 && q <= 1 && interval > 0 && tailMass > 0 && tailMass < 0.5)
        let range = SubsampledGaussianLoss(direction: direction, samplingRate: q, noiseMultiplier: sigma)
        let (bottom, top) = range.lossBounds(tailMass: tailMass)
        var lowerIndex = Int(Math.floor(bottom / interval))
        var upperIndex = Int(Math.ceil(top / interval))
        if upperIndex < lowerIndex { swap(&lowerIndex, &upperIndex) }
        let count = upperIndex - lowerIndex + 1

        // Per grid point: the output threshold and the two Gaussian tails there.
        var thresholds = [Double](repeating: 0, count: count)
        var probabilities = [Double](repeating: 0, count: count)
        let expm1Interval = Math.expm1(interval)
        var infinityMass = 0.0
        thresholds.withUnsafeMutableBufferPointer { x in
            for i in 0..<count { x[i] = range.threshold(lossAbove: Double(lowerIndex + i) * interval) }
            var previous = range.tails(at: x[0])
            // Everything with loss below the bottom point (x > x_0) is rounded up to it.
            probabilities[0] = range.upperMass(previous, range.tails(at: .infinity))
            // e^{ε_{i+1}} by a running product, re-anchored on exp every 256 points (drift ≪ 1e-13).
            let growth = Math.exp(interval)
            var expNextLoss = 0.0
            for i in 0..<(count - 1) {
                let next = range.tails(at: x[i + 1])
                let upperMass = range.upperMass(next, previous)
                let lowerMass = range.lowerMass(next, previous)
                expNextLoss = i % 256 == 0 ? Math.exp(Double(lowerIndex + i + 1) * interval) : expNextLoss * growth
                var toLower = (lowerMass * expNextLoss - upperMass) / expm1Interval
                toLower = Swift.min(Swift.max(0, toLower), upperMass)
                probabilities[i] += toLower
                probabilities[i + 1] += upperMass - toLower
                previous = next
            }
            // Losses above the top point (x < x_top): δ(ε_top) to +∞, the rest to ε_top.
            let topLoss = Double(upperIndex) * interval
            let minusInfinity = range.tails(at: -.infinity)
            let upperMass = range.upperMass(minusInfinity, previous)
            let lowerMass = range.lowerMass(minusInfinity, previous)
            infinityMass = Swift.min(upperMass, Swift.max(0, upperMass - Math.exp(topLoss) * lowerMass))
            probabilities[count - 1] += upperMass - infinityMass
        }
        return DiscretePrivacyLoss(
            interval: interval, lowerIndex: lowerIndex, probabilities: probabilities,
            infinityMass: infinityMass)
    }
}

/// The privacy loss of one Poisson-subsampled Gaussian round in one direction, as a function of the
/// mechanism's output x (in units of the clip norm).
struct SubsampledGaussianLoss {
    let direction: AdjacencyDirection
    let q: Double
    let sigma: Double
    private let logQ: Double
    private let log1mq: Double
    private let inverseTwoVariance: Double

    init(direction: AdjacencyDirection, samplingRate: Double, noiseMultiplier: Double) {
        self.direction = direction
        self.q = samplingRate
        self.sigma = noiseMultiplier
        self.logQ = Math.log(samplingRate)
        self.log1mq = samplingRate == 1 ? -.infinity : Math.log1p(-samplingRate)
        self.inverseTwoVariance = 1 / (2 * noiseMultiplier * noiseMultiplier)
    }

    /// ℓ(x) = log P(x)/Q(x), decreasing in x.
    func loss(at x: Double) -> Double {
        switch direction {
        case .remove: Math.logAddExp(log1mq, logQ + (-2 * x - 1) * inverseTwoVariance)
        case .add: -Math.logAddExp(log1mq, logQ + (2 * x - 1) * inverseTwoVariance)
        }
    }

    /// The largest x with ℓ(x) ≥ ε, i.e. {ℓ > ε} = {x < threshold} up to a null set; ±∞ outside ℓ's range.
    func threshold(lossAbove epsilon: Double) -> Double {
        switch direction {
        case .remove:
            // e^ε = 1 − q + q·e^{(−2x−1)/(2σ²)}
            let logShifted = logExpMinusComplement(epsilon)
            if logShifted == -.infinity { return .infinity }
            return -0.5 - sigma * sigma * (logShifted - logQ)
        case .add:
            // e^{−ε} = 1 − q + q·e^{(2x−1)/(2σ²)}
            let logShifted = logExpMinusComplement(-epsilon)
            if logShifted == -.infinity { return -.infinity }
            return 0.5 + sigma * sigma * (logShifted - logQ)
        }
    }

    /// log(e^t − (1 − q)), or −∞ where it is not positive; exact for q = 1 and stable for t ≪ 0.
    private func logExpMinusComplement(_ t: Double) -> Double {
        let ratio = (1 - q) * Math.exp(-t)
        if ratio < 0.5 { return t + Math.log1p(-ratio) }
        let shifted = Math.expm1(t) + q
        return shifted > 0 ? Math.log(shifted) : -.infinity
    }

    /// The loss range outside which P has at most `tailMass` on each side (or the loss is bounded).
    func lossBounds(tailMass: Double) -> (bottom: Double, top: Double) {
        // Output thresholds where P's lower (upper) tail mass is tailMass, by bisection on the mixture.
        let spread = (-Math.normalQuantileLowerTail(tailMass) + 1) * sigma + 1
        func thresholdOutput(lowerTail: Bool) -> Double {
            var inside = 0.0, outside = lowerTail ? -spread : spread
            for _ in 0..<60 {
                let middle = 0.5 * (inside + outside)
                let mass =
                    lowerTail
                    ? upperMass(tails(at: -.infinity), tails(at: middle))
                    : upperMass(tails(at: middle), tails(at: .infinity))
                if mass > tailMass { inside = middle } else { outside = middle }
            }
            return outside
        }
        switch direction {
        case .remove:
            let top = loss(at: thresholdOutput(lowerTail: true))
            let bottom = q < 1 ? log1mq : loss(at: thresholdOutput(lowerTail: false))
            return (bottom, top)
        case .add:
            let top = q < 1 ? -log1mq : loss(at: thresholdOutput(lowerTail: true))
            return (loss(at: thresholdOutput(lowerTail: false)), top)
        }
    }

    /// The standard normal tails of P's and Q's two components at x.
    struct Tails {
        var centred: Double, centredNegative: Bool
        var shifted: Double, shiftedNegative: Bool
    }

    /// Tails at x of N(0, σ²) and of the shifted component (N(−1, σ²) for remove, N(1, σ²) for add).
    func tails(at x: Double) -> Tails {
        let shift: Double = direction == .remove ? -1 : 1
        let z0 = x / sigma, z1 = (x - shift) / sigma
        return Tails(
            centred: Math.normalTail(Swift.abs(z0)), centredNegative: z0 < 0,
            shifted: Math.normalTail(Swift.abs(z1)), shiftedNegative: z1 < 0)
    }

    /// Mass of a standard normal between two points given by their tails (a ≤ b).
    @inline(__always) private func mass(_ aTail: Double, _ aNegative: Bool, _ bTail: Double, _ bNegative: Bool) -> Double {
        switch (aNegative, bNegative) {
        case (false, false): Swift.max(0, aTail - bTail)
        case (true, true): Swift.max(0, bTail - aTail)
        case (true, false): Swift.max(0, 1 - aTail - bTail)
        case (false, true): 0
        }
    }

    /// P-mass of outputs in [a, b].
    func upperMass(_ a: Tails, _ b: Tails) -> Double {
        let centred = mass(a.centred, a.centredNegative, b.centred, b.centredNegative)
        switch direction {
        case .remove:
            let shifted = mass(a.shifted, a.shiftedNegative, b.shifted, b.shiftedNegative)
            return (1 - q) * centred + q * shifted
        case .add:
            return centred
        }
    }

    /// Q-mass of outputs in [a, b].
    func lowerMass(_ a: Tails, _ b: Tails) -> Double {
        let centred = mass(a.centred, a.centredNegative, b.centred, b.centredNegative)
        switch direction {
        case .remove:
            return centred
        case .add:
            let shifted = mass(a.shifted, a.shiftedNegative, b.shifted, b.shiftedNegative)
            return (1 - q) * centred + q * shifted
        }
    }

    /// Mean and variance of ℓ under P, by the trapezoidal rule over the output (≈ 1e-10 relative).
    func moments() -> (mean: Double, variance: Double) {
        if q == 1 {
            let mean = inverseTwoVariance  // 1/(2σ²), variance 1/σ²
            return (mean, 2 * inverseTwoVariance)
        }
        let shift: Double = direction == .remove ? -1 : 0
        let low = Swift.min(0, shift) - 12 * sigma, high = Swift.max(0, shift) + 12 * sigma
        let step = Swift.min(sigma / 16, sigma * sigma / 4)
        let points = Int(Math.ceil((high - low) / step))
        var total = 0.0, first = 0.0, second = 0.0
        let normalisation = 1 / (sigma * 2.5066282746310002)
        for index in 0...points {
            let x = low + Double(index) * step
            let centred = Math.exp(-x * x * inverseTwoVariance)
            let density: Double
            switch direction {
            case .remove: density = (1 - q) * centred + q * Math.exp(-(x + 1) * (x + 1) * inverseTwoVariance)
            case .add: density = centred
            }
            let weight = density * normalisation * step
            let value = loss(at: x)
            total += weight
            first += weight * value
            second += weight * value * value
        }
        let mean = first / total
        return (mean, Swift.max(0, second / total - mean * mean))
    }
}

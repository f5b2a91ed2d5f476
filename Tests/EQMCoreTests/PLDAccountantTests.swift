import Testing

@testable import EQMCore

@Suite("PLD accountant")
struct PLDAccountantTests {
    let accountant = try! PLDAccountant()

    @Test(
        "every reference case: within 1% of dp-accounting's PLD value and below the RDP value",
        arguments: AccountantReferenceCase.all)
    func referenceCases(reference: AccountantReferenceCase) throws {
        let guarantee = try accountant.guarantee(for: reference.event, delta: reference.delta)
        #expect(abs(guarantee.epsilon - reference.pld) <= 0.01 * reference.pld, "ε \(guarantee.epsilon) vs \(reference.pld)")
        #expect(abs(guarantee.epsilon - reference.pld) <= 1e-4 * reference.pld, "ε \(guarantee.epsilon) vs \(reference.pld)")
        #expect(guarantee.epsilon <= reference.rdpAllOrders)
        #expect(guarantee.optimalOrder == nil)
    }

    @Test("q = 1: never below, and within 0.01% of, the exact Gaussian ε (Balle–Wang)")
    func exactGaussian() throws {
        let reference = AccountantReferenceCase.all[2]  // q = 1, σ = 1, 100 steps
        let exact = AnalyticGaussian.epsilon(delta: reference.delta, mu: 10)
        let computed = try accountant.guarantee(for: reference.event, delta: reference.delta).epsilon
        #expect(computed >= exact)
        #expect(computed <= exact * (1 + 1e-4), "\(computed) vs exact \(exact)")

        // Heterogeneous Gaussian rounds compose to one Gaussian with μ² = Σ T/σ².
        var event = try PrivacyEvent(samplingRate: 1, noiseMultiplier: 2, steps: 50)
        event.compose(try PrivacyEvent(samplingRate: 1, noiseMultiplier: 5, steps: 200))
        let mixedExact = AnalyticGaussian.epsilon(delta: 1e-6, mu: (50.0 / 4 + 200.0 / 25).squareRoot())
        let mixed = try accountant.guarantee(for: event, delta: 1e-6).epsilon
        #expect(mixed >= mixedExact)
        #expect(mixed <= mixedExact * (1 + 1e-3), "\(mixed) vs exact \(mixedExact)")
    }

    @Test(
        "one round: never below, and within 0.1% of, the exact ε from Gaussian CDFs",
        arguments: [0.001, 0.05, 0.5, 1.0], [0.6, 1.0, 3.0])
    func exactSingleRound(q: Double, sigma: Double) throws {
        let exact = ExactSubsampledGaussian.epsilon(delta: 1e-5) { epsilon in
            ExactSubsampledGaussian.delta(epsilon: epsilon, q: q, sigma: sigma)
        }
        let computed = try accountant.guarantee(for: PrivacyEvent(samplingRate: q, noiseMultiplier: sigma, steps: 1), delta: 1e-5)
            .epsilon
        #expect(computed >= exact * (1 - 1e-9), "\(computed) vs exact \(exact)")
        #expect(computed <= exact * (1 + 1e-3) + 1e-6, "\(computed) vs exact \(exact)")
    }

    @Test(
        "two rounds: never below, and within 0.2% of, a brute-force integration of the privacy loss",
        arguments: [(0.05, 0.8, 1e-6), (0.3, 1.5, 1e-5), (0.01, 0.7, 1e-5)])
    func bruteForceTwoRounds(q: Double, sigma: Double, delta: Double) throws {
        // δ₂(ε) = E_{x∼P}[δ₁(ε − ℓ(x))], integrated over the first round's output on a fine grid.
        let exact = ExactSubsampledGaussian.epsilon(delta: delta) { epsilon in
            ExactSubsampledGaussian.twoRoundDelta(epsilon: epsilon, q: q, sigma: sigma)
        }
        let computed = try accountant.guarantee(
            for: PrivacyEvent(samplingRate: q, noiseMultiplier: sigma, steps: 2), delta: delta
        ).epsilon
        #expect(computed >= exact * (1 - 1e-6), "\(computed) vs brute force \(exact)")
        #expect(computed <= exact * (1 + 2e-3), "\(computed) vs brute force \(exact)")
    }

    @Test("with dp-accounting's fixed interval 1e-4 the value matches dp-accounting's")
    func fixedInterval() throws {
        let fixed = try PLDAccountant(discretization: .fixed(interval: 1e-4))
        for reference in [AccountantReferenceCase.all[0], AccountantReferenceCase.all[4]] {
            let computed = try fixed.guarantee(for: reference.event, delta: reference.delta).epsilon
            #expect(abs(computed - reference.pld) <= 2e-6 * reference.pld, "\(computed) vs \(reference.pld)")
        }
        #expect(fixed.version.contains("interval=0.0001"))
        #expect(throws: EQMCoreError.self) { try PLDAccountant(discretization: .fixed(interval: 0)) }
    }

    @Test("the adaptive interval is never finer than 1e-4, coarsens for long noisy compositions, per direction")
    func adaptiveInterval() throws {
        let small = try PrivacyEvent(samplingRate: 0.001, noiseMultiplier: 1, steps: 10_000)
        #expect(accountant.intervals(for: small, delta: 1e-6) == (1e-4, 1e-4))
        let gaussian = try PrivacyEvent(samplingRate: 1, noiseMultiplier: 1, steps: 10_000)
        let intervals = accountant.intervals(for: gaussian, delta: 1e-5)
        #expect(intervals.remove > 1e-3 && intervals.add == intervals.remove)
        // Small σ: the remove direction's heavy tail needs a long window, the add direction's loss is tiny.
        let skewed = accountant.intervals(
            for: try PrivacyEvent(samplingRate: 0.001, noiseMultiplier: 0.2, steps: 10_000),
            delta: 1e-5)
        #expect(skewed.remove > 3 * skewed.add)
    }

    @Test("heterogeneous rounds: order-independent, halves compose to the whole, between the parts and RDP")
    func composition() throws {
        let first = try PrivacyEvent(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 300)
        let second = try PrivacyEvent(samplingRate: 0.05, noiseMultiplier: 2.0, steps: 120)
        let both = first.composed(with: second)
        let epsilon = try accountant.guarantee(for: both, delta: 1e-5).epsilon
        #expect(try epsilon == accountant.guarantee(for: second.composed(with: first), delta: 1e-5).epsilon)
        #expect(try epsilon > accountant.guarantee(for: first, delta: 1e-5).epsilon)
        #expect(try epsilon > accountant.guarantee(for: second, delta: 1e-5).epsilon)
        #expect(try epsilon <= RDPAccountant().guarantee(for: both, delta: 1e-5).epsilon)

        let half = try PrivacyEvent(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 500)
        let whole = try PrivacyEvent(samplingRate: 0.02, noiseMultiplier: 1.3, steps: 1000)
        #expect(
            try accountant.guarantee(for: half.composed(with: half), delta: 1e-6)
                == accountant.guarantee(for: whole, delta: 1e-6))
    }

    @Test("heterogeneous composition by FFT equals composing the rounds' distributions directly")
    func compositionMatchesDirectConvolution() {
        let a = DiscretePrivacyLoss.connectTheDots(
            direction: .remove, samplingRate: 0.2, noiseMultiplier: 1.5,
            interval: 0.05, tailMass: 1e-12)
        let b = DiscretePrivacyLoss.connectTheDots(
            direction: .remove, samplingRate: 0.5, noiseMultiplier: 3,
            interval: 0.05, tailMass: 1e-12)
        let composed = DiscretePrivacyLoss.composition(of: [(a, 2), (b, 1)], tailMass: 1e-15)
        let direct = convolve(convolve(a, a), b)
        for epsilon in [0.0, 0.5, 1, 2, 3] {
            let expected = direct.delta(epsilon: epsilon), found = composed.delta(epsilon: epsilon)
            #expect(found >= expected - 1e-14, "ε=\(epsilon)")
            #expect(abs(found - expected) <= 1e-12 + 1e-9 * expected, "ε=\(epsilon): \(found) vs \(expected)")
        }
    }

    @Test("ε decreases with σ and increases with q and with the number of steps")
    func monotone() throws {
        func epsilon(_ q: Double, _ sigma: Double, _ steps: Int) throws -> Double {
            try accountant.guarantee(for: PrivacyEvent(samplingRate: q, noiseMultiplier: sigma, steps: steps), delta: 1e-5)
                .epsilon
        }
        let sigmas = [0.6, 0.9, 1.1, 1.5, 2, 3, 5]
        for (a, b) in zip(sigmas, sigmas.dropFirst()) { #expect(try epsilon(0.01, a, 1000) > epsilon(0.01, b, 1000)) }
        let rates = [1e-3, 0.01, 0.05, 0.2, 0.5, 1]
        for (a, b) in zip(rates, rates.dropFirst()) { #expect(try epsilon(a, 1.2, 100) < epsilon(b, 1.2, 100)) }
        let counts = [1, 10, 100, 1000, 10000]
        for (a, b) in zip(counts, counts.dropFirst()) { #expect(try epsilon(0.01, 1.2, a) < epsilon(0.01, 1.2, b)) }
    }

    @Test("σ = 0 has no finite ε; an empty event spends nothing; δ is validated")
    func degenerate() throws {
        #expect(
            try accountant.guarantee(for: PrivacyEvent(samplingRate: 0.1, noiseMultiplier: 0, steps: 3), delta: 1e-5).epsilon
                == .infinity)
        #expect(try accountant.guarantee(for: PrivacyEvent(), delta: 1e-5).epsilon == 0)
        let event = try PrivacyEvent(samplingRate: 0.1, noiseMultiplier: 1, steps: 1)
        for delta in [0, 1, .nan] { #expect(throws: EQMCoreError.self) { try accountant.guarantee(for: event, delta: delta) } }
        #expect(accountant.name == "pld")
    }

    @Test("the discretised round is a probability distribution with exact δ at grid points")
    func discretisation() {
        for direction in AdjacencyDirection.allCases {
            let loss = DiscretePrivacyLoss.connectTheDots(
                direction: direction, samplingRate: 0.05, noiseMultiplier: 0.8,
                interval: 1e-3, tailMass: 1e-14)
            let total = loss.probabilities.reduce(0, +) + loss.infinityMass
            #expect(abs(total - 1) < 1e-12)
            #expect(loss.probabilities.allSatisfy { $0 >= 0 })
            for epsilon in [0.1, 0.5, 1.0, 2.0] {  // grid points
                let exact =
                    direction == .remove
                    ? ExactSubsampledGaussian.removeDelta(epsilon: epsilon, q: 0.05, sigma: 0.8)
                    : ExactSubsampledGaussian.addDelta(epsilon: epsilon, q: 0.05, sigma: 0.8)
                #expect(abs(loss.delta(epsilon: epsilon) - exact) <= 1e-11 + 1e-8 * exact, "\(direction) ε=\(epsilon)")
                // Between grid points the discretisation lies above the true curve.
                let between = epsilon + 5e-4
                let exactBetween =
                    direction == .remove
                    ? ExactSubsampledGaussian.removeDelta(epsilon: between, q: 0.05, sigma: 0.8)
                    : ExactSubsampledGaussian.addDelta(epsilon: between, q: 0.05, sigma: 0.8)
                #expect(loss.delta(epsilon: between) >= exactBetween - 1e-12)
            }
        }
    }

    /// Direct (quadratic) convolution of two discretised losses.
    private func convolve(_ a: DiscretePrivacyLoss, _ b: DiscretePrivacyLoss) -> DiscretePrivacyLoss {
        var probabilities = [Double](repeating: 0, count: a.probabilities.count + b.probabilities.count - 1)
        for (i, p) in a.probabilities.enumerated() {
            for (j, r) in b.probabilities.enumerated() { probabilities[i + j] += p * r }
        }
        let infinity = 1 - (1 - a.infinityMass) * (1 - b.infinityMass)
        return DiscretePrivacyLoss(
            interval: a.interval, lowerIndex: a.lowerIndex + b.lowerIndex,
            probabilities: probabilities, infinityMass: infinity)
    }
}

@Suite("Real FFT")
struct RealFFTAccountantTests {
    @Test(
        "forward then inverse returns the input; the spectrum matches a direct DFT",
        arguments: [2, 4, 6, 8, 12, 18, 36, 64, 96, 1024, 1152, 2304])
    func roundTrip(size: Int) {
        var generator = SeededGenerator(seed: UInt64(size))
        let input = (0..<size).map { _ in Double(generator.next() % 1000) / 1000 }
        let transform = RealFFT(count: size)
        var real = [Double](repeating: 0, count: size / 2 + 1), imaginary = real
        var output = [Double](repeating: 0, count: size)
        input.withUnsafeBufferPointer { x in
            real.withUnsafeMutableBufferPointer { re in
                imaginary.withUnsafeMutableBufferPointer { im in transform.forward(x, real: re, imaginary: im) }
            }
        }
        for k in [0, 1, size / 4, size / 2] {
            var dr = 0.0, di = 0.0
            for (j, x) in input.enumerated() {
                let angle = -2 * Double.pi * Double(j * k) / Double(size)
                dr += x * Math.cos(angle)
                di += x * Math.sin(angle)
            }
            #expect(abs(real[k] - dr) < 1e-9 && abs(imaginary[k] - di) < 1e-9, "bin \(k)")
        }
        real.withUnsafeMutableBufferPointer { re in
            imaginary.withUnsafeMutableBufferPointer { im in
                output.withUnsafeMutableBufferPointer { out in transform.inverse(real: re, imaginary: im, output: out) }
            }
        }
        for (a, b) in zip(input, output) { #expect(abs(a - b) < 1e-12) }
    }
}

/// Exact hockey-stick divergences of the Poisson-subsampled Gaussian from Gaussian CDFs, written
/// independently of the accountant's code.
enum ExactSubsampledGaussian {
    static func cdf(_ z: Double) -> Double { 0.5 * Math.erfc(-z / 2.0.squareRoot()) }

    /// Remove: P = (1 − q)N(0, σ²) + qN(−1, σ²) against Q = N(0, σ²); the loss exceeds ε left of x.
    static func removeDelta(epsilon: Double, q: Double, sigma: Double) -> Double {
        if q < 1, epsilon <= Math.log1p(-q) { return -Math.expm1(epsilon) }
        let x = -0.5 - sigma * sigma * Math.log((Math.expm1(epsilon) + q) / q)
        let upper = (1 - q) * cdf(x / sigma) + q * cdf((x + 1) / sigma)
        return Swift.max(0, upper - Math.exp(epsilon) * cdf(x / sigma))
    }

    /// Add: P = N(0, σ²) against Q = (1 − q)N(0, σ²) + qN(1, σ²).
    static func addDelta(epsilon: Double, q: Double, sigma: Double) -> Double {
        if q < 1, epsilon >= -Math.log1p(-q) { return 0 }
        let x = 0.5 + sigma * sigma * Math.log((Math.expm1(-epsilon) + q) / q)
        let lower = (1 - q) * cdf(x / sigma) + q * cdf((x - 1) / sigma)
        return Swift.max(0, cdf(x / sigma) - Math.exp(epsilon) * lower)
    }

    static func delta(epsilon: Double, q: Double, sigma: Double) -> Double {
        Swift.max(removeDelta(epsilon: epsilon, q: q, sigma: sigma), addDelta(epsilon: epsilon, q: q, sigma: sigma))
    }

    /// δ of two rounds, the larger of the two directions, by integrating the first round's output.
    static func twoRoundDelta(epsilon: Double, q: Double, sigma: Double) -> Double {
        let low = -1 - 14 * sigma, high = 1 + 14 * sigma, points = 8000
        let step = (high - low) / Double(points)
        func density(_ x: Double, _ mean: Double) -> Double {
            Math.exp(-(x - mean) * (x - mean) / (2 * sigma * sigma)) / (sigma * 2.5066282746310002)
        }
        var remove = 0.0, add = 0.0
        for index in 0...points {
            let x = low + Double(index) * step
            let weight = (index == 0 || index == points ? 0.5 : 1) * step
            // Remove: x ∼ P, loss log(1 − q + q e^{(−2x−1)/(2σ²)}).
            let removeLoss = Math.log(1 - q + q * Math.exp((-2 * x - 1) / (2 * sigma * sigma)))
            let removeDensity = (1 - q) * density(x, 0) + q * density(x, -1)
            remove += weight * removeDensity * removeDelta(epsilon: epsilon - removeLoss, q: q, sigma: sigma)
            // Add: x ∼ N(0, σ²), loss −log(1 − q + q e^{(2x−1)/(2σ²)}).
            let addLoss = -Math.log(1 - q + q * Math.exp((2 * x - 1) / (2 * sigma * sigma)))
            add += weight * density(x, 0) * addDelta(epsilon: epsilon - addLoss, q: q, sigma: sigma)
        }
        return Swift.max(remove, add)
    }

    /// The smallest ε ≥ 0 with delta(ε) ≤ target, by bisection.
    static func epsilon(delta target: Double, _ delta: (Double) -> Double) -> Double {
        if delta(0) <= target { return 0 }
        var low = 0.0, high = 1.0
        while delta(high) > target { high *= 2 }
        for _ in 0..<50 {
            let middle = 0.5 * (low + high)
            if delta(middle) > target { low = middle } else { high = middle }
        }
        return high
    }
}

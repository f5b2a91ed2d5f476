// Sampling helpers the synthetic cohort needs beyond uniform and normal draws. Internal: the
// seeded generator is for reproducible data, never for privacy.

extension SeededGenerator {
    /// A uniform Double in `[lower, upper)`.
    @inline(__always)
    mutating func nextUniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * nextUnitInterval()
    }

    /// An approximately standard normal sample from one 64-bit draw (Irwin–Hall sum of four
    /// 16-bit uniforms, rescaled to unit variance); bounded by ±3.46. Cheap enough for
    /// per-sample sensor noise, where the tails do not matter.
    @inline(__always)
    mutating func nextNoise() -> Double {
        let bits = next()
        let sum = Double(bits & 0xFFFF) + Double((bits >> 16) & 0xFFFF) + Double((bits >> 32) & 0xFFFF) + Double(bits >> 48)
        // Each 16-bit term has mean 32767.5 and variance (65536² − 1) / 12.
        return (sum - 4 * 32_767.5) * (1.7320508075688772 / 2 / 65_536)
    }

    /// An exponential waiting time with the given mean.
    @inline(__always)
    mutating func nextExponential(mean: Double) -> Double {
        -mean * Math.log(nextUnitInterval())
    }

    /// A Gamma(shape, 1) sample (Marsaglia and Tsang 2000; boosted for shape < 1).
    mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "gamma shape must be positive")
        if shape < 1 {
            // Gamma(a) = Gamma(a + 1) · U^(1/a).
            return nextGamma(shape: shape + 1) * Math.pow(nextUnitInterval(), 1 / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = nextGaussian()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextUnitInterval()
            if u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)) {
                return d * v
            }
        }
    }

    /// A sample from the symmetric Dirichlet distribution of `count` categories.
    mutating func nextDirichlet(count: Int, concentration: Double) -> [Double] {
        var weights = (0..<count).map { _ in nextGamma(shape: concentration) }
        var total = weights.reduce(0, +)
        if !(total > 0) {
            // Every gamma draw underflowed (tiny concentration): all mass on one category.
            weights = [Double](repeating: 0, count: count)
            weights[Int(next() % UInt64(count))] = 1
            total = 1
        }
        return weights.map { $0 / total }
    }

    /// An index drawn with probability proportional to `weights`.
    mutating func nextIndex(weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var target = nextUnitInterval() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.lastIndex { $0 > 0 } ?? 0
    }
}

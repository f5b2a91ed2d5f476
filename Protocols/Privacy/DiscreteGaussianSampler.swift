/// Exact samples of the discrete Gaussian N_ℤ(0, σ²) — P[X = x] ∝ exp(−x²/2σ²) on the integers —
/// by the rejection sampler of Canonne, Kamath and Steinke (2020, Algorithm 3).
///
/// The variance parameter σ² is an integer, so every step is integer arithmetic: Bernoulli(exp(−γ))
/// for rational γ by their Algorithms 1 and 2, uniform draws by rejection, no floating point (which
/// leaks through its low bits, Mironov 2012). Randomness comes from the generator it is given:
/// libsodium's (`SecureRandomGenerator`) in production, a seeded one in tests only.
///
/// One documented deviation: a discrete-Laplace proposal with |Z| > 2³⁵ is rejected outright
/// instead of being tested, so that the acceptance test fits 128-bit integers. With σ ≤ 2²⁶ such a
/// value would be accepted with probability below exp(−2¹⁶), which no experiment can observe.
public struct DiscreteGaussianSampler: Sendable, Hashable {
    /// The variance parameter σ² (the variance itself is within 10⁻³⁰ relative of it for σ ≥ 4).
    public let variance: UInt64
    /// ⌊σ⌋ + 1, the scale of the discrete-Laplace proposal.
    private let laplaceScale: UInt64

    /// The largest supported σ² (2⁵², σ = 2²⁶ ≈ 6.7 · 10⁷), which keeps the arithmetic in 128 bits.
    public static let maximumVariance: UInt64 = 1 << 52
    private static let proposalCap: UInt64 = 1 << 35

    /// A sampler for N_ℤ(0, `variance`); `variance` in 1...``maximumVariance``.
    public init(variance: UInt64) throws(ProtocolError) {
        guard variance >= 1, variance <= Self.maximumVariance else {
            throw .invalidConfiguration("discrete Gaussian variance must be in 1...\(Self.maximumVariance), found \(variance)")
        }
        self.variance = variance
        laplaceScale = Self.integerSquareRoot(variance) + 1
    }

    /// One sample.
    public func next(using generator: inout some RandomNumberGenerator) -> Int64 {
        let t = laplaceScale
        while true {
            // Discrete Laplace with scale t (Algorithm 2 of CKS20): U + t·V with a random sign.
            let u = Self.uniform(below: t, using: &generator)
            guard Self.bernoulliExpMinus(numerator: UInt128(u), denominator: UInt128(t), using: &generator) else { continue }
            var v: UInt64 = 0
            while Self.bernoulliExpMinus(numerator: 1, denominator: 1, using: &generator) { v += 1 }
            let negative = generator.next() & 1 == 1
            if negative && u == 0 && v == 0 { continue }
            let (scaled, overflow) = t.multipliedReportingOverflow(by: v)
            guard !overflow, scaled <= Self.proposalCap, u + scaled <= Self.proposalCap else { continue }
            let magnitude = u + scaled
            // Accept with probability exp(−(|Z| − σ²/t)² / 2σ²) = exp(−(|Z|·t − σ²)² / (2σ²t²)).
            let product = UInt128(magnitude) * UInt128(t)
            let difference = product >= UInt128(variance) ? product - UInt128(variance) : UInt128(variance) - product
            let numerator = difference * difference
            let denominator = 2 * UInt128(variance) * UInt128(t) * UInt128(t)
            if Self.bernoulliExpMinus(numerator: numerator, denominator: denominator, using: &generator) {
                return negative ? -Int64(magnitude) : Int64(magnitude)
            }
        }
    }

    /// Adds one independent sample to every element, modulo 2³².
    public func addNoise(to values: UnsafeMutableBufferPointer<UInt32>, using generator: inout some RandomNumberGenerator) {
        for index in values.indices {
            values[index] &+= UInt32(truncatingIfNeeded: next(using: &generator))
        }
    }

    // MARK: Exact Bernoulli trials (CKS20, Algorithms 1 and 2)

    /// Bernoulli(exp(−γ)) for γ = numerator/denominator ≥ 0.
    static func bernoulliExpMinus(
        numerator: UInt128, denominator: UInt128,
        using generator: inout some RandomNumberGenerator
    ) -> Bool {
        var whole = numerator / denominator
        let fraction = numerator % denominator
        // exp(−γ) = exp(−1)^⌊γ⌋ · exp(−{γ}).
        while whole > 0 {
            guard bernoulliExpMinusAtMostOne(numerator: 1, denominator: 1, using: &generator) else { return false }
            whole -= 1
        }
        return bernoulliExpMinusAtMostOne(numerator: fraction, denominator: denominator, using: &generator)
    }

    /// Bernoulli(exp(−γ)) for γ ∈ [0, 1]: the parity of the first K with Bernoulli(γ/K) = 0.
    private static func bernoulliExpMinusAtMostOne(
        numerator: UInt128, denominator: UInt128,
        using generator: inout some RandomNumberGenerator
    ) -> Bool {
        var k: UInt128 = 1
        while bernoulli(numerator: numerator, denominator: denominator * k, using: &generator) { k += 1 }
        return k & 1 == 1
    }

    /// Bernoulli(numerator/denominator) for numerator ≤ denominator.
    private static func bernoulli(
        numerator: UInt128, denominator: UInt128,
        using generator: inout some RandomNumberGenerator
    ) -> Bool {
        if numerator == 0 { return false }
        if numerator >= denominator { return true }
        if denominator <= UInt128(UInt64.max) {
            return UInt128(uniform(below: UInt64(denominator), using: &generator)) < numerator
        }
        return uniform128(below: denominator, using: &generator) < numerator
    }

    /// A uniform value in 0..<bound (Lemire's multiply-and-reject).
    static func uniform(below bound: UInt64, using generator: inout some RandomNumberGenerator) -> UInt64 {
        var (high, low) = generator.next().multipliedFullWidth(by: bound)
        if low < bound {
            let threshold = (0 &- bound) % bound
            while low < threshold { (high, low) = generator.next().multipliedFullWidth(by: bound) }
        }
        return high
    }

    /// A uniform value in 0..<bound for bounds above 2⁶⁴ (masking to the bound's bit length, then rejection).
    private static func uniform128(below bound: UInt128, using generator: inout some RandomNumberGenerator) -> UInt128 {
        let bits = 128 - (bound - 1).leadingZeroBitCount
        let mask: UInt128 = bits == 128 ? ~0 : (1 << UInt128(bits)) - 1
        while true {
            let candidate = (UInt128(generator.next()) << 64 | UInt128(generator.next())) & mask
            if candidate < bound { return candidate }
        }
    }

    /// ⌊√value⌋ for value ≤ 2⁵² (exact: the floating-point estimate is corrected both ways).
    static func integerSquareRoot(_ value: UInt64) -> UInt64 {
        var root = UInt64(Double(value).squareRoot())
        while root * root > value { root -= 1 }
        while (root + 1) * (root + 1) <= value { root += 1 }
        return root
    }
}

/// Lagrange coefficients at zero for each set of holders a server reconstructs from.
///
/// Computing the coefficients of t points costs O(t²) field operations; applying them to a secret
/// costs O(t). In the complete graph a server reconstructs hundreds of secrets from the same t
/// holders (it picks the same lowest-indexed responders for every owner), so caching turns the
/// whole reconstruction into O(t) per secret.
struct LagrangeCache {
    private var coefficientsByPoints: [[UInt64]: [UInt64]] = [:]
    private(set) var hits = 0
    private(set) var misses = 0

    /// The coefficients λⱼ with Σ λⱼ f(xⱼ) = f(0) for every polynomial of degree < points.count.
    mutating func coefficients(for points: [UInt64]) -> [UInt64] {
        if let cached = coefficientsByPoints[points] {
            hits += 1
            return cached
        }
        misses += 1
        let computed = Self.computeCoefficients(points)
        coefficientsByPoints[points] = computed
        return computed
    }

    /// λⱼ = Πₘ≠ⱼ xₘ / (xₘ − xⱼ); the denominators are inverted together with one field inversion.
    static func computeCoefficients(_ points: [UInt64]) -> [UInt64] {
        let count = points.count
        var numerators = [UInt64](repeating: 1, count: count)
        var denominators = [UInt64](repeating: 1, count: count)
        for j in 0..<count {
            for m in 0..<count where m != j {
                numerators[j] = PrimeField.multiply(numerators[j], points[m])
                denominators[j] = PrimeField.multiply(denominators[j], PrimeField.subtract(points[m], points[j]))
            }
        }
        // Montgomery's trick: prefix products, one inverse, then unwind.
        var prefix = [UInt64](repeating: 1, count: count)
        var running: UInt64 = 1
        for j in 0..<count {
            prefix[j] = running
            running = PrimeField.multiply(running, denominators[j])
        }
        var inverse = PrimeField.inverse(running)
        var coefficients = [UInt64](repeating: 0, count: count)
        for j in stride(from: count - 1, through: 0, by: -1) {
            let inverseDenominator = PrimeField.multiply(inverse, prefix[j])
            inverse = PrimeField.multiply(inverse, denominators[j])
            coefficients[j] = PrimeField.multiply(numerators[j], inverseDenominator)
        }
        return coefficients
    }
}

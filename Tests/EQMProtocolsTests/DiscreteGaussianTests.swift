import EQMProtocols
import Foundation
import Testing

@Suite("Discrete Gaussian sampler")
struct DiscreteGaussianTests {
    @Test("σ² = 1: the empirical distribution matches exp(−x²/2)/Z (χ², 10 bins)")
    func smallVarianceMatchesPMF() throws {
        let sampler = try DiscreteGaussianSampler(variance: 1)
        var generator = TestGenerator(seed: 42)
        let trials = 40_000
        var counts = [Int](repeating: 0, count: 11)  // −5...5, tails folded into the end bins
        for _ in 0..<trials { counts[Int(max(-5, min(5, sampler.next(using: &generator)))) + 5] += 1 }
        let weights = (-60...60).map { exp(-Double($0 * $0) / 2) }
        let normaliser = weights.reduce(0, +)
        func probability(_ x: Int) -> Double {
            if x == -5 { return (-60...(-5)).map { exp(-Double($0 * $0) / 2) }.reduce(0, +) / normaliser }
            if x == 5 { return (5...60).map { exp(-Double($0 * $0) / 2) }.reduce(0, +) / normaliser }
            return exp(-Double(x * x) / 2) / normaliser
        }
        var chiSquare = 0.0
        for x in -5...5 {
            let expected = probability(x) * Double(trials)
            chiSquare += (Double(counts[x + 5]) - expected) * (Double(counts[x + 5]) - expected) / expected
        }
        #expect(chiSquare < 47.2, "χ² = \(chiSquare) (10 degrees of freedom, p = 10⁻⁶ at 47.2)")
    }

    @Test("large σ²: mean 0, variance σ², symmetric", arguments: [UInt64(100), 1_000_000, 1 << 40])
    func moments(variance: UInt64) throws {
        let sampler = try DiscreteGaussianSampler(variance: variance)
        var generator = TestGenerator(seed: variance)
        let trials = 20_000
        var sum = 0.0, squares = 0.0, positive = 0
        for _ in 0..<trials {
            let x = Double(sampler.next(using: &generator))
            sum += x
            squares += x * x
            if x > 0 { positive += 1 }
        }
        let sigma = Double(variance).squareRoot()
        let mean = sum / Double(trials)
        #expect(abs(mean) < 5 * sigma / Double(trials).squareRoot())
        // The variance estimate has relative standard error √(2/N) ≈ 1%.
        #expect(abs(squares / Double(trials) / Double(variance) - 1) < 0.05)
        #expect(abs(Double(positive) / Double(trials) - 0.5) < 0.02)
    }

    @Test("variance out of range is refused")
    func range() {
        expectProtocolError(.invalidConfiguration) { try DiscreteGaussianSampler(variance: 0) }
        expectProtocolError(.invalidConfiguration) {
            try DiscreteGaussianSampler(variance: DiscreteGaussianSampler.maximumVariance + 1)
        }
    }
}

import Foundation
import Testing

@testable import EQMCore

@Suite("Server optimiser")
struct ServerOptimizerTests {
    /// Three rounds of deltas on a three-parameter model; the third coordinate sees Δ = 0 twice.
    static let start: [Float] = [1, -1, 0.25]
    static let deltas: [[Float]] = [[0.5, -0.1, 0], [0.3, 0.2, 0], [-0.2, 0, 0.01]]

    /// Runs the three deltas and returns the parameters after each round.
    static func trajectory(_ configuration: ServerOptimizerConfiguration) throws -> [[Float]] {
        var optimizer = try ServerOptimizer(configuration: configuration, dimension: 3)
        var parameters = start
        var after = [[Float]]()
        for delta in deltas {
            try optimizer.apply(delta: delta, to: &parameters)
            after.append(parameters)
        }
        #expect(optimizer.step == 3)
        return after
    }

    static func expectClose(
        _ actual: [Float], _ expected: [Double], tolerance: Double = 2e-6, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(Double(a) - e) <= tolerance * max(1, abs(e)), "\(actual) ≉ \(expected)", sourceLocation: sourceLocation)
        }
    }

    @Test("FedAvg with η = 1 and no momentum is x + Δ")
    func fedAvgIsAddition() throws {
        var optimizer = try ServerOptimizer(configuration: .fedAvg(), dimension: 19)
        var parameters = (0..<19).map { Float($0) * 0.5 - 3 }
        let delta = (0..<19).map { Float($0 % 5) * 0.125 - 0.25 }
        let expected = zip(parameters, delta).map { $0 + $1 }
        try optimizer.apply(delta: delta, to: &parameters)
        #expect(parameters == expected)
        #expect(optimizer.secondMoment.isEmpty)
    }

    @Test("FedAvg with server momentum, by hand")
    func fedAvgMomentum() throws {
        // η = 0.5, β = 0.9: m₁ = Δ₁ = (0.5, −0.1, 0), x₁ = x₀ + 0.5·m₁ = (1.25, −1.05, 0.25);
        // m₂ = 0.9·m₁ + Δ₂ = (0.75, 0.11, 0), x₂ = (1.625, −0.995, 0.25);
        // m₃ = 0.9·m₂ + Δ₃ = (0.475, 0.099, 0.01), x₃ = (1.8625, −0.9455, 0.255).
        let after = try Self.trajectory(.fedAvg(learningRate: 0.5, momentum: 0.9))
        Self.expectClose(after[0], [1.25, -1.05, 0.25])
        Self.expectClose(after[1], [1.625, -0.995, 0.25])
        Self.expectClose(after[2], [1.8625, -0.9455, 0.255])
    }

    @Test("FedAdam, by hand")
    func fedAdam() throws {
        // η = 0.1, β₁ = 0.9, β₂ = 0.99, τ = 10⁻³, v₀ = τ² = 10⁻⁶. First coordinate, round 1:
        // m = 0.1·0.5 = 0.05; v = 0.99·10⁻⁶ + 0.01·0.25 = 0.00250099;
        // x = 1 + 0.1·0.05 / (√0.00250099 + 0.001) = 1.0980202.
        // The third coordinate does not move while Δ = 0 (m stays 0), then
        // m₃ = 0.001, v₃ = 0.99²·10⁻⁶ + 0.01·10⁻⁴ = 1.970299·10⁻⁶, x = 0.25 + 0.1·0.001/(0.0014037 + 0.001).
        let after = try Self.trajectory(.fedAdam(learningRate: 0.1))
        Self.expectClose(after[0], [1.0980201901209485, -1.090502831185222, 0.25])
        Self.expectClose(after[1], [1.2249169048716249, -1.0434142633799188, 0.25])
        Self.expectClose(after[2], [1.3013157808388163, -1.0008302347753013, 0.2916029899093229])
    }

    @Test("FedYogi, by hand")
    func fedYogi() throws {
        // As FedAdam but v ← v − (1−β₂)·Δ²·sign(v − Δ²). First coordinate, round 1: Δ² = 0.25 > v₀,
        // so v = 10⁻⁶ + 0.01·0.25 = 0.002501 and x = 1 + 0.1·0.05 / (√0.002501 + 0.001) = 1.0980200.
        // The third coordinate keeps v = τ² while Δ = 0 (Adam's decays), then v = 2·10⁻⁶.
        let after = try Self.trajectory(.fedYogi(learningRate: 0.1))
        Self.expectClose(after[0], [1.0980199980004, -1.090498756211209, 0.25])
        Self.expectClose(after[1], [1.224456968398841, -1.0434560917828903, 0.25])
        Self.expectClose(after[2], [1.300272281607833, -1.0011176937974036, 0.29142135623730947])
    }

    @Test("FedYogi's second moment moves additively, FedAdam's multiplicatively")
    func yogiVersusAdam() throws {
        var adam = try ServerOptimizer(configuration: .fedAdam(), dimension: 2)
        var yogi = try ServerOptimizer(configuration: .fedYogi(), dimension: 2)
        let tauSquared = Float(1e-3) * Float(1e-3)  // v₀ = τ² for both
        #expect(adam.secondMoment == [tauSquared, tauSquared])
        #expect(yogi.secondMoment == [tauSquared, tauSquared])
        var x = [Float](repeating: 0, count: 2), y = x
        // Round 1 grows v (Δ² > v), round 2 has Δ² < v on the first coordinate, so Yogi's v shrinks
        // by exactly (1−β₂)·Δ² while Adam's decays by the factor β₂.
        for delta: [Float] in [[0.5, 0.2], [0.01, 0.4]] {
            let (adamBefore, yogiBefore) = (adam.secondMoment, yogi.secondMoment)
            try adam.apply(delta: delta, to: &x)
            try yogi.apply(delta: delta, to: &y)
            for i in 0..<2 {
                let square = Double(delta[i]) * Double(delta[i])
                let adamExpected = 0.99 * Double(adamBefore[i]) + 0.01 * square
                let difference = Double(yogiBefore[i]) - square
                let sign: Double = difference > 0 ? 1 : (difference < 0 ? -1 : 0)
                let yogiExpected = Double(yogiBefore[i]) - 0.01 * square * sign
                #expect(abs(Double(adam.secondMoment[i]) - adamExpected) <= 1e-6 * adamExpected)
                #expect(abs(Double(yogi.secondMoment[i]) - yogiExpected) <= 1e-6 * yogiExpected)
                #expect(adam.secondMoment[i] != yogi.secondMoment[i])
            }
        }
        // First coordinate, round 2: Yogi 0.002501 − 0.01·10⁻⁴ = 0.0025; Adam 0.99·0.00250099 + 10⁻⁶.
        #expect(abs(yogi.secondMoment[0] - 0.0025) < 1e-9)
        #expect(abs(adam.secondMoment[0] - 0.0024769801) < 1e-9)
        #expect(adam.firstMoment == yogi.firstMoment)
    }

    @Test("the SIMD body and the padded tail agree with a scalar reference", arguments: ServerOptimizerKind.allCases)
    func longVector(kind: ServerOptimizerKind) throws {
        let count = 8 * 5 + 3
        let configuration = ServerOptimizerConfiguration(kind: kind, learningRate: 0.05, momentum: kind == .fedavg ? 0.5 : 0)
        var optimizer = try ServerOptimizer(configuration: configuration, dimension: count)
        var parameters = (0..<count).map { Float(sin(Double($0))) }
        var reference = parameters.map(Double.init)
        var m = [Double](repeating: 0, count: count), v = [Double](repeating: 1e-6, count: count)
        for round in 0..<4 {
            let delta = (0..<count).map { Float(cos(Double($0 * 7 + round)) * 0.3) }
            try optimizer.apply(delta: delta, to: &parameters)
            for i in 0..<count {
                let d = Double(delta[i])
                switch kind {
                case .fedavg:
                    m[i] = 0.5 * m[i] + d
                    reference[i] += 0.05 * m[i]
                case .fedadam, .fedyogi:
                    m[i] = 0.9 * m[i] + 0.1 * d
                    if kind == .fedadam {
                        v[i] = 0.99 * v[i] + 0.01 * d * d
                    } else {
                        let s: Double = v[i] > d * d ? 1 : (v[i] < d * d ? -1 : 0)
                        v[i] -= 0.01 * d * d * s
                    }
                    reference[i] += 0.05 * m[i] / (v[i].squareRoot() + 1e-3)
                }
            }
        }
        Self.expectClose(parameters, reference, tolerance: 1e-5)
    }

    @Test("a Double delta gives the same update as its Float32 rounding")
    func doubleDelta() throws {
        var a = try ServerOptimizer(configuration: .fedAdam(), dimension: 3)
        var b = a
        var x = Self.start, y = Self.start
        try a.apply(delta: [0.1, -0.2, 0.3] as [Double], to: &x)
        try b.apply(delta: [Float(0.1), -0.2, 0.3], to: &y)
        #expect(x == y)
        #expect(a == b)
    }

    @Test("the restored state reproduces the next step exactly", arguments: ServerOptimizerKind.allCases)
    func stateRoundTrip(kind: ServerOptimizerKind) throws {
        let configuration = ServerOptimizerConfiguration(kind: kind, momentum: kind == .fedavg ? 0.9 : 0)
        var original = try ServerOptimizer(configuration: configuration, dimension: 21)
        var parameters = (0..<21).map { Float($0) / 7 }
        for round in 0..<3 {
            try original.apply(delta: (0..<21).map { Float(($0 + round) % 4) * 0.1 - 0.15 }, to: &parameters)
        }
        let bytes = original.encodedState()
        var restored = try ServerOptimizer(configuration: configuration, dimension: 21, encodedState: bytes)
        #expect(restored == original)
        #expect(restored.step == 3)
        var continued = parameters, resumed = parameters
        let next = (0..<21).map { Float($0 % 3) * -0.07 }
        try original.apply(delta: next, to: &continued)
        try restored.apply(delta: next, to: &resumed)
        #expect(continued == resumed)
        #expect(original.encodedState() == restored.encodedState())
    }

    @Test("garbage, corrupted, foreign and mismatched states are refused with the right error")
    func badStates() throws {
        var optimizer = try ServerOptimizer(configuration: .fedYogi(), dimension: 5)
        var x = [Float](repeating: 0, count: 5)
        try optimizer.apply(delta: [1, 2, 3, 4, 5] as [Float], to: &x)
        let bytes = optimizer.encodedState()
        func code(_ data: [UInt8], _ configuration: ServerOptimizerConfiguration = .fedYogi(), dimension: Int = 5)
            -> EQMCoreError.Code?
        {
            do {
                _ = try ServerOptimizer(configuration: configuration, dimension: dimension, encodedState: data)
                return nil
            } catch { return error.code }
        }
        #expect(code(bytes) == nil)
        #expect(code([]) == .invalidData)
        #expect(code(Array("definitely not an optimiser state, just some text....................".utf8)) == .invalidData)
        #expect(code(Array(bytes.prefix(40))) == .invalidData)  // shorter than header and checksum
        #expect(code(Array(bytes.prefix(70))) == .checksumMismatch)  // truncated
        var future = bytes
        future[8] = 2
        #expect(code(future) == .unsupportedVersion)
        for offset in [13, 20, 40, bytes.count - 1] {
            var flipped = bytes
            flipped[offset] ^= 0x10
            #expect(code(flipped) == .checksumMismatch)
        }
        #expect(code(bytes, .fedAdam()) == .invalidConfiguration)
        #expect(code(bytes, dimension: 6) == .invalidShape)
    }

    @Test("invalid deltas are refused and leave parameters and state untouched")
    func invalidDeltas() throws {
        for configuration in [ServerOptimizerConfiguration.fedAvg(momentum: 0.5), .fedAdam(), .fedYogi()] {
            var optimizer = try ServerOptimizer(configuration: configuration, dimension: 11)
            var parameters = (0..<11).map { Float($0) }
            try optimizer.apply(delta: [Float](repeating: 0.25, count: 11), to: &parameters)
            let (savedParameters, savedOptimizer) = (parameters, optimizer)
            let bad: [[Float]] = [
                [Float](repeating: 0, count: 10),
                [Float](repeating: 0, count: 12),
                (0..<11).map { $0 == 9 ? .nan : 0 },
                (0..<11).map { $0 == 2 ? .infinity : 0 },
                (0..<11).map { $0 == 10 ? -.infinity : 0 },
            ]
            for delta in bad {
                do {
                    try optimizer.apply(delta: delta, to: &parameters)
                    Issue.record("delta accepted")
                } catch {
                    #expect(error.code == (delta.count == 11 ? .invalidData : .invalidShape))
                }
                #expect(parameters == savedParameters)
                #expect(optimizer == savedOptimizer)
            }
            var short = [Float](repeating: 0, count: 4)
            #expect(throws: EQMCoreError.self) { try optimizer.apply(delta: [Float](repeating: 0, count: 11), to: &short) }
            #expect(short == [0, 0, 0, 0])
            #expect(throws: EQMCoreError.self) {
                try optimizer.apply(delta: (0..<11).map { $0 == 0 ? 1e300 : 0 } as [Double], to: &parameters)
            }
            #expect(parameters == savedParameters)
            #expect(optimizer == savedOptimizer)
        }
    }

    @Test("out-of-range configurations are refused")
    func invalidConfigurations() throws {
        let bad: [ServerOptimizerConfiguration] = [
            .fedAvg(learningRate: 0), .fedAvg(learningRate: -1), .fedAvg(learningRate: .nan), .fedAvg(learningRate: 1e300),
            .fedAvg(momentum: 1), .fedAvg(momentum: -0.1), .fedAdam(beta1: 1), .fedAdam(beta2: -0.5),
            .fedYogi(beta2: .infinity), .fedYogi(tau: 0), .fedYogi(tau: -1e-3),
            ServerOptimizerConfiguration(kind: .fedadam, momentum: 0.9),
        ]
        for configuration in bad {
            #expect(throws: EQMCoreError.self, "\(configuration)") { try configuration.validate() }
        }
        for dimension in [0, -1, ServerOptimizer.maximumDimension + 1] {
            #expect(throws: EQMCoreError.self) { try ServerOptimizer(configuration: .fedAvg(), dimension: dimension) }
        }
        for kind in ServerOptimizerKind.allCases { try ServerOptimizerConfiguration(kind: kind).validate() }
    }

    @Test("a configuration decodes from its kind alone, with the documented defaults")
    func configurationCoding() throws {
        let adam = try JSONDecoder().decode(ServerOptimizerConfiguration.self, from: Data(#"{"kind":"fedadam"}"#.utf8))
        #expect(adam == .fedAdam())
        #expect(adam.learningRate == 1e-2 && adam.beta1 == 0.9 && adam.beta2 == 0.99 && adam.tau == 1e-3)
        let avg = try JSONDecoder().decode(ServerOptimizerConfiguration.self, from: Data(#"{"kind":"fedavg"}"#.utf8))
        #expect(avg == .fedAvg() && avg.learningRate == 1)
        let yogi = ServerOptimizerConfiguration.fedYogi(learningRate: 0.03)
        #expect(try JSONDecoder().decode(ServerOptimizerConfiguration.self, from: JSONEncoder().encode(yogi)) == yogi)
        #expect(yogi.description == "fedyogi(lr=0.03, beta1=0.9, beta2=0.99, tau=0.001)")
    }

    @Test(
        "every optimiser decreases a convex quadratic over 50 rounds",
        arguments: [
            ServerOptimizerConfiguration.fedAvg(), .fedAvg(learningRate: 0.5, momentum: 0.9), .fedAdam(), .fedYogi(),
        ])
    func convexQuadratic(configuration: ServerOptimizerConfiguration) throws {
        // f(x) = ½ Σ aᵢ (xᵢ − cᵢ)²; each round's delta is one client gradient step −0.1·∇f(x).
        let n = 16
        let curvature = (0..<n).map { 0.5 + 1.5 * Float($0) / Float(n - 1) }
        let optimum = (0..<n).map { Float(sin(Double($0))) }
        func loss(_ x: [Float]) -> Float {
            (0..<n).reduce(0) { $0 + 0.5 * curvature[$1] * (x[$1] - optimum[$1]) * (x[$1] - optimum[$1]) }
        }
        var optimizer = try ServerOptimizer(configuration: configuration, dimension: n)
        var x = [Float](repeating: 0, count: n)
        let initial = loss(x)
        for _ in 0..<50 {
            let delta = (0..<n).map { -0.1 * curvature[$0] * (x[$0] - optimum[$0]) }
            try optimizer.apply(delta: delta, to: &x)
        }
        #expect(loss(x) < 0.1 * initial, "\(configuration): \(initial) → \(loss(x))")
    }
}

internal import EQMCrypto

/// The coordinator's optimiser state: applies the survivors' average delta to the global
/// parameters, round after round (Reddi et al., "Adaptive Federated Optimization", ICLR 2021,
/// Algorithm 2).
///
/// With Δ the average client delta (client model − global model) and x the global parameter vector:
///
/// | kind | update |
/// | --- | --- |
/// | FedAvg | m ← β·m + Δ;  x ← x + η·m |
/// | FedAdam | m ← β₁·m + (1−β₁)·Δ;  v ← β₂·v + (1−β₂)·Δ²;  x ← x + η·m / (√v + τ) |
/// | FedYogi | as FedAdam, with v ← v − (1−β₂)·Δ²·sign(v − Δ²) |
///
/// Squares, roots, signs and divisions are per coordinate. As in the paper there is no bias
/// correction: τ and the initial v = τ² (Algorithm 2's v₋₁ ≥ τ², used for FedAdam and FedYogi
/// alike) keep the first steps bounded instead. m starts at zero. All arithmetic is Float32, the
/// parameters' type.
///
/// The state is a value: copy it to try an update, persist it with ``encodedState()`` and restore
/// it with ``init(configuration:dimension:encodedState:)`` after a coordinator restart so that the
/// next round's update is exactly the one an uninterrupted coordinator would have made.
public struct ServerOptimizer: Sendable, Hashable {
    /// The optimiser and its hyper-parameters (validated).
    public let configuration: ServerOptimizerConfiguration
    /// The number of parameters updated.
    public let dimension: Int
    /// The first moment m (`dimension` values; for FedAvg the momentum buffer, equal to the last
    /// delta when β = 0).
    public internal(set) var firstMoment: [Float]
    /// The second moment v (`dimension` values for FedAdam and FedYogi, empty for FedAvg).
    public internal(set) var secondMoment: [Float]
    /// The number of updates applied so far.
    public internal(set) var step: Int

    /// The largest dimension accepted, the model's own cap (``SequentialModel/maximumParameterCount``).
    public static let maximumDimension = SequentialModel.maximumParameterCount

    /// A fresh optimiser for `dimension` parameters.
    public init(configuration: ServerOptimizerConfiguration, dimension: Int) throws(EQMCoreError) {
        try configuration.validate()
        guard dimension > 0, dimension <= Self.maximumDimension else {
            throw .invalidConfiguration(
                "server optimiser dimension must be in 1...\(Self.maximumDimension), found \(dimension)")
        }
        self.configuration = configuration
        self.dimension = dimension
        firstMoment = [Float](repeating: 0, count: dimension)
        let tau = Float(configuration.tau)
        secondMoment = configuration.kind.isAdaptive ? [Float](repeating: tau * tau, count: dimension) : []
        step = 0
    }

    /// Applies one round's average client delta to `parameters`.
    ///
    /// Throws, leaving `parameters` and the state untouched, when either vector's length differs
    /// from ``dimension`` (``EQMCoreError/Code/invalidShape``) or the delta holds a NaN or
    /// infinity (``EQMCoreError/Code/invalidData``).
    public mutating func apply(delta: [Float], to parameters: inout [Float]) throws(EQMCoreError) {
        guard delta.count == dimension, parameters.count == dimension else {
            throw .invalidShape(
                "server optimiser of dimension \(dimension) was given a delta of \(delta.count) and parameters of \(parameters.count) values"
            )
        }
        let finite = delta.withUnsafeBufferPointer { Self.allFinite($0.baseAddress!, count: $0.count) }
        guard finite else {
            let bad = delta.indices.filter { !delta[$0].isFinite }
            throw .invalidData(
                "the average delta holds \(bad.count) non-finite values (first at index \(bad[0])); no update was applied")
        }
        let c = configuration
        let count = dimension
        delta.withUnsafeBufferPointer { d in
            parameters.withUnsafeMutableBufferPointer { x in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        let x = x.baseAddress!, m = m.baseAddress!, d = d.baseAddress!
                        switch c.kind {
                        case .fedavg:
                            Self.sweep(FedAvgRule(c), count: count, x: x, m: m, v: nil, d: d)
                        case .fedadam:
                            Self.sweep(FedAdamRule(c), count: count, x: x, m: m, v: v.baseAddress!, d: d)
                        case .fedyogi:
                            Self.sweep(FedYogiRule(c), count: count, x: x, m: m, v: v.baseAddress!, d: d)
                        }
                    }
                }
            }
        }
        step += 1
    }

    /// Applies a delta averaged in Double precision: rounded to Float32, then applied as the Float32
    /// overload does; a value beyond Float32's range is refused as non-finite.
    public mutating func apply(delta: [Double], to parameters: inout [Float]) throws(EQMCoreError) {
        guard delta.count == dimension else {
            throw .invalidShape("server optimiser of dimension \(dimension) was given a delta of \(delta.count) values")
        }
        try apply(delta: delta.map { Float($0) }, to: &parameters)
    }

    // MARK: Kernels

    /// Whether every value is finite: x − x is 0 for finite x and NaN otherwise, and NaN sticks.
    private static func allFinite(_ x: UnsafePointer<Float>, count: Int) -> Bool {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let value = load8(x + i)
            accumulator += value - value
            i += 8
        }
        var tail: Float = 0
        while i < count {
            tail += x[i] - x[i]
            i += 1
        }
        return accumulator == SIMD8<Float>() && tail == 0
    }

    /// Runs `rule` over every coordinate, eight at a time; the last partial group is padded with
    /// zeros (which every rule maps to zeros) and only its real lanes are written back.
    @inline(__always)
    private static func sweep<Rule: UpdateRule>(
        _ rule: Rule, count: Int, x: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>?, d: UnsafePointer<Float>
    ) {
        var i = 0
        while i + 8 <= count {
            var x8 = load8(x + i), m8 = load8(m + i)
            var v8 = v.map { load8($0 + i) } ?? SIMD8<Float>()
            rule.update(&x8, &m8, &v8, load8(d + i))
            store8(x + i, x8)
            store8(m + i, m8)
            if let v { store8(v + i, v8) }
            i += 8
        }
        guard i < count else { return }
        var x8 = SIMD8<Float>(), m8 = SIMD8<Float>(), v8 = SIMD8<Float>(), d8 = SIMD8<Float>()
        for lane in 0..<(count - i) {
            x8[lane] = x[i + lane]
            m8[lane] = m[i + lane]
            v8[lane] = v?[i + lane] ?? 0
            d8[lane] = d[i + lane]
        }
        rule.update(&x8, &m8, &v8, d8)
        for lane in 0..<(count - i) {
            x[i + lane] = x8[lane]
            m[i + lane] = m8[lane]
            v?[i + lane] = v8[lane]
        }
    }
}

/// One optimiser's update of eight coordinates.
private protocol UpdateRule {
    func update(_ x: inout SIMD8<Float>, _ m: inout SIMD8<Float>, _ v: inout SIMD8<Float>, _ delta: SIMD8<Float>)
}

/// m ← β·m + Δ; x ← x + η·m.
private struct FedAvgRule: UpdateRule {
    let learningRate: SIMD8<Float>, momentum: SIMD8<Float>
    init(_ c: ServerOptimizerConfiguration) {
        learningRate = SIMD8(repeating: Float(c.learningRate))
        momentum = SIMD8(repeating: Float(c.momentum))
    }
    @inline(__always)
    func update(_ x: inout SIMD8<Float>, _ m: inout SIMD8<Float>, _ v: inout SIMD8<Float>, _ delta: SIMD8<Float>) {
        m = momentum * m + delta
        fma(&x, learningRate, m)
    }
}

/// The first moment and the step shared by FedAdam and FedYogi.
private struct AdaptiveStep {
    let learningRate: SIMD8<Float>, beta1: SIMD8<Float>, oneMinusBeta1: SIMD8<Float>, oneMinusBeta2: SIMD8<Float>
    let beta2: SIMD8<Float>, tau: SIMD8<Float>
    init(_ c: ServerOptimizerConfiguration) {
        learningRate = SIMD8(repeating: Float(c.learningRate))
        beta1 = SIMD8(repeating: Float(c.beta1))
        oneMinusBeta1 = SIMD8(repeating: Float(1 - c.beta1))
        beta2 = SIMD8(repeating: Float(c.beta2))
        oneMinusBeta2 = SIMD8(repeating: Float(1 - c.beta2))
        tau = SIMD8(repeating: Float(c.tau))
    }
    @inline(__always)
    func firstMoment(_ m: inout SIMD8<Float>, _ delta: SIMD8<Float>) {
        m = beta1 * m + oneMinusBeta1 * delta
    }
    @inline(__always)
    func move(_ x: inout SIMD8<Float>, _ m: SIMD8<Float>, _ v: SIMD8<Float>) {
        x += learningRate * m / (v.squareRoot() + tau)
    }
}

/// v ← β₂·v + (1−β₂)·Δ².
private struct FedAdamRule: UpdateRule {
    let step: AdaptiveStep
    init(_ c: ServerOptimizerConfiguration) { step = AdaptiveStep(c) }
    @inline(__always)
    func update(_ x: inout SIMD8<Float>, _ m: inout SIMD8<Float>, _ v: inout SIMD8<Float>, _ delta: SIMD8<Float>) {
        step.firstMoment(&m, delta)
        v = step.beta2 * v + step.oneMinusBeta2 * delta * delta
        step.move(&x, m, v)
    }
}

/// v ← v − (1−β₂)·Δ²·sign(v − Δ²).
private struct FedYogiRule: UpdateRule {
    let step: AdaptiveStep
    init(_ c: ServerOptimizerConfiguration) { step = AdaptiveStep(c) }
    @inline(__always)
    func update(_ x: inout SIMD8<Float>, _ m: inout SIMD8<Float>, _ v: inout SIMD8<Float>, _ delta: SIMD8<Float>) {
        step.firstMoment(&m, delta)
        let square = delta * delta
        let difference = v - square
        let sign = SIMD8<Float>().replacing(with: 1, where: difference .> 0).replacing(with: -1, where: difference .< 0)
        v -= step.oneMinusBeta2 * square * sign
        step.move(&x, m, v)
    }
}

/// Updates a flat parameter vector from a gradient of the same layout.
public protocol Optimizer: AnyObject {
    /// Applies one update: `parameters ← parameters − step(gradients)`.
    func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>)
}

/// A serialisable optimiser choice with its hyper-parameters.
public enum OptimizerConfiguration: Codable, Sendable, Hashable {
    /// Stochastic gradient descent with (heavy-ball) momentum.
    case sgd(learningRate: Float, momentum: Float = 0)
    /// Adam (Kingma & Ba 2015).
    case adam(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8)

    /// Builds the optimiser for `parameterCount` parameters.
    public func makeOptimizer(parameterCount: Int) throws(EQMCoreError) -> any Optimizer {
        switch self {
        case .sgd(let learningRate, let momentum):
            return try SGD(parameterCount: parameterCount, learningRate: learningRate, momentum: momentum)
        case .adam(let learningRate, let beta1, let beta2, let epsilon):
            return try Adam(
                parameterCount: parameterCount, learningRate: learningRate, beta1: beta1, beta2: beta2,
                epsilon: epsilon)
        }
    }
}

/// SGD with momentum: `v ← μv + g; θ ← θ − ηv` (PyTorch's convention).
public final class SGD: Optimizer {
    public let learningRate: Float
    public let momentum: Float
    private var velocity: [Float]

    /// Creates the optimiser.
    public init(parameterCount: Int, learningRate: Float, momentum: Float = 0) throws(EQMCoreError) {
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidConfiguration("learning rate must be a positive number, found \(learningRate)")
        }
        guard momentum >= 0 && momentum < 1 else {
            throw .invalidConfiguration("momentum must be in [0, 1), found \(momentum)")
        }
        self.learningRate = learningRate
        self.momentum = momentum
        self.velocity = momentum > 0 ? [Float](repeating: 0, count: parameterCount) : []
    }

    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>) {
        let count = parameters.count
        if momentum == 0 {
            VectorMath.addScaled(gradients.baseAddress!, scale: -learningRate, to: parameters.baseAddress!, count: count)
            return
        }
        velocity.withUnsafeMutableBufferPointer { v in
            VectorMath.scale(v.baseAddress!, by: momentum, count: count)
            VectorMath.add(gradients.baseAddress!, to: v.baseAddress!, count: count)
            VectorMath.addScaled(UnsafePointer(v.baseAddress!), scale: -learningRate, to: parameters.baseAddress!, count: count)
        }
    }
}

/// Adam with bias correction.
public final class Adam: Optimizer {
    public let learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
    private var firstMoment: [Float], secondMoment: [Float]
    private var step = 0

    /// Creates the optimiser.
    public init(
        parameterCount: Int, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8
    ) throws(EQMCoreError) {
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidConfiguration("learning rate must be a positive number, found \(learningRate)")
        }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2), epsilon > 0 else {
            throw .invalidConfiguration("Adam needs β₁, β₂ in [0, 1) and ε > 0, found \(beta1), \(beta2), \(epsilon)")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    public func update(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>) {
        step += 1
        let correction1 = 1 - Float(Math.pow(Double(beta1), Double(step)))
        let correction2 = 1 - Float(Math.pow(Double(beta2), Double(step)))
        let stepSize = learningRate / correction1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let inverseSqrtCorrection2 = 1 / correction2.squareRoot()
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                for i in 0..<parameters.count {
                    let g = gradients[i]
                    m[i] = b1 * m[i] + (1 - b1) * g
                    v[i] = b2 * v[i] + (1 - b2) * g * g
                    parameters[i] -= stepSize * m[i] / (v[i].squareRoot() * inverseSqrtCorrection2 + eps)
                }
            }
        }
    }
}

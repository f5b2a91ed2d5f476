/// Hyper-parameters of local training.
public struct TrainingConfiguration: Codable, Sendable, Hashable {
    /// Examples per step (the expected size under Poisson sampling).
    public var batchSize: Int
    /// The optimiser.
    public var optimizer: OptimizerConfiguration
    /// Example-level DP-SGD, or nil for ordinary training.
    public var privacy: DPSGDConfiguration?
    /// Seed of the shuffling generator (not used for DP randomness).
    public var seed: UInt64

    /// Creates a configuration.
    public init(batchSize: Int, optimizer: OptimizerConfiguration, privacy: DPSGDConfiguration? = nil, seed: UInt64 = 0) {
        self.batchSize = batchSize
        self.optimizer = optimizer
        self.privacy = privacy
        self.seed = seed
    }
}

/// What one epoch did.
public struct EpochReport: Codable, Sendable, Hashable {
    /// The 1-based epoch number.
    public var epoch: Int
    /// Mean training loss over the examples seen.
    public var loss: Double
    /// Examples processed (varies under Poisson sampling).
    public var examples: Int
    /// Optimiser steps taken.
    public var steps: Int
}

/// Trains a ``SequentialModel`` with SGD/Adam, optionally with example-level DP-SGD.
///
/// DP-SGD uses book-keeping clipping: one forward and one backward pass give every example's
/// gradient norm (per layer, without materialising dense-layer gradients), then each layer sums
/// its gradients weighted by the examples' clip factors `min(1, C / ‖gᵢ‖)`.
public final class Trainer {
    /// The model being trained.
    public let model: SequentialModel
    /// The configuration.
    public let configuration: TrainingConfiguration
    private let optimizer: any Optimizer
    private var noise: NoiseGenerator?
    private var shuffler: SeededGenerator
    private var norms = [Float]()
    private var clipWeights = [Float]()
    /// Optimiser steps taken so far.
    public private(set) var steps = 0

    /// Creates a trainer for a model.
    public init(model: SequentialModel, configuration: TrainingConfiguration) throws(EQMCoreError) {
        guard configuration.batchSize > 0 else {
            throw .invalidConfiguration("batch size must be positive, found \(configuration.batchSize)")
        }
        try configuration.privacy?.validate()
        self.model = model
        self.configuration = configuration
        self.optimizer = try configuration.optimizer.makeOptimizer(parameterCount: model.parameterCount)
        self.noise = configuration.privacy.map { NoiseGenerator($0.noise) }
        self.shuffler = SeededGenerator(seed: configuration.seed)
    }

    /// Whether DP randomness comes from the cryptographically secure generator (nil without DP).
    public var noiseIsCryptographicallySecure: Bool? { noise?.isCryptographicallySecure }

    /// One optimiser step on a batch; returns the batch's mean loss.
    ///
    /// For DP-SGD, `expectedBatchSize` is the denominator of the noisy average (under Poisson
    /// sampling the expected, not the realised, batch size); it defaults to the batch's size.
    @discardableResult
    public func step(_ input: Tensor, labels: [Int], expectedBatchSize: Int? = nil) throws(EQMCoreError) -> Double {
        try model.validate(batch: input)
        guard labels.count == input.batchSize else {
            throw .invalidShape("batch of \(input.batchSize) examples has \(labels.count) labels")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= EmotionLabel.count }) {
            throw .invalidData("label index \(bad) out of range 0..<\(EmotionLabel.count)")
        }
        let loss: Double
        if let privacy = configuration.privacy {
            loss = privateGradient(input, labels: labels, privacy: privacy)
            let denominator = Float(max(1, expectedBatchSize ?? input.batchSize))
            model.gradients.withUnsafeMutableBufferPointer { g in
                VectorMath.scale(g.baseAddress!, by: 1 / denominator, count: g.count)
            }
        } else {
            guard input.batchSize > 0 else { return 0 }
            let logits = model.forward(input, training: true)
            let result = SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 1 / Float(input.batchSize))
            loss = result.loss
            model.backward(result.gradient)
            model.collectGradients(exampleWeights: nil)
        }
        model.parameters.withUnsafeMutableBufferPointer { parameters in
            model.gradients.withUnsafeBufferPointer { gradients in
                optimizer.update(parameters: parameters, gradients: gradients)
            }
        }
        steps += 1
        return loss
    }

    /// Leaves `Σᵢ clip(gᵢ) + N(0, σ²C²)` in `model.gradients`; returns the batch's mean loss.
    func privateGradient(_ input: Tensor, labels: [Int], privacy: DPSGDConfiguration) -> Double {
        let batch = input.batchSize
        var loss = 0.0
        if batch > 0 {
            let logits = model.forward(input, training: true)
            let result = SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 1)
            loss = result.loss
            model.backward(result.gradient)
            if norms.count < batch {
                norms = [Float](repeating: 0, count: batch)
                clipWeights = [Float](repeating: 0, count: batch)
            }
            let clipNorm = privacy.clipNorm
            norms.withUnsafeMutableBufferPointer { n in
                let current = UnsafeMutableBufferPointer(rebasing: n[0..<batch])
                model.perExampleSquaredNorms(into: current)
                for i in 0..<batch {
                    // Opacus' factor: min(1, C / (‖g‖ + 1e-6)).
                    clipWeights[i] = min(1, clipNorm / (current[i].squareRoot() + 1e-6))
                }
            }
            clipWeights.withUnsafeBufferPointer { w in
                model.collectGradients(exampleWeights: UnsafeBufferPointer(rebasing: w[0..<batch]))
            }
        } else {
            model.gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        let standardDeviation = Double(privacy.noiseMultiplier) * Double(privacy.clipNorm)
        model.gradients.withUnsafeMutableBufferPointer { g in
            noise!.addGaussianNoise(to: g, standardDeviation: standardDeviation)
        }
        return loss
    }

    /// The clip factors of the last DP-SGD step's examples (for tests and diagnostics).
    var lastClipWeights: [Float] { clipWeights }

    /// One pass over `data`: shuffled fixed-size batches, or for Poisson-sampled DP-SGD
    /// `count / batchSize` steps each including every example with probability `batchSize / count`.
    public func trainEpoch(
        _ data: LabelledExamples, epoch: Int = 1,
        progress: ((_ step: Int, _ of: Int) -> Void)? = nil
    ) throws(EQMCoreError) -> EpochReport {
        guard data.exampleShape == model.inputShape else {
            throw .invalidShape("training data has examples of shape \(data.exampleShape), the model expects \(model.inputShape)")
        }
        guard data.count > 0 else { throw .invalidData("training data is empty") }
        let batchSize = configuration.batchSize
        var totalLoss = 0.0, examples = 0, stepsTaken = 0
        if let privacy = configuration.privacy, privacy.poissonSampling {
            let rate = min(1, Double(batchSize) / Double(data.count))
            let stepCount = max(1, data.count / batchSize)
            var indices = [Int]()
            indices.reserveCapacity(batchSize * 2)
            for index in 0..<stepCount {
                indices.removeAll(keepingCapacity: true)
                for example in 0..<data.count where noise!.bernoulli(rate) { indices.append(example) }
                let (input, labels) = data.batch(indices)
                let loss = try step(input, labels: labels, expectedBatchSize: batchSize)
                totalLoss += loss * Double(labels.count)
                examples += labels.count
                stepsTaken += 1
                progress?(index + 1, stepCount)
            }
        } else {
            var order = Array(0..<data.count)
            order.shuffle(using: &shuffler)
            let stepCount = (data.count + batchSize - 1) / batchSize
            for index in 0..<stepCount {
                let slice = order[(index * batchSize)..<min(data.count, (index + 1) * batchSize)]
                let (input, labels) = data.batch(slice)
                let loss = try step(input, labels: labels)
                totalLoss += loss * Double(labels.count)
                examples += labels.count
                stepsTaken += 1
                progress?(index + 1, stepCount)
            }
        }
        return EpochReport(
            epoch: epoch, loss: examples > 0 ? totalLoss / Double(examples) : 0, examples: examples,
            steps: stepsTaken)
    }
}

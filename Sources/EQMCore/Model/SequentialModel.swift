/// A feed-forward stack of layers with all parameters in one flat vector.
///
/// The flat vector's order is stable and documented per layer (weights, then biases, layers in
/// order): federated updates are deltas of it, and model files store it as is. A model is a
/// mutable, single-owner object (not `Sendable`): give each task its own, or guard it in an actor.
public final class SequentialModel {
    /// The architecture.
    public let spec: ModelSpec
    /// The layers, built from `spec`.
    public let layers: [any Layer]
    /// All trainable parameters, layer by layer.
    public internal(set) var parameters: [Float]
    /// Gradient accumulator of the same layout as `parameters`.
    var gradients: [Float]
    /// Each layer's slice of `parameters`.
    let parameterRanges: [Range<Int>]

    /// Builds a model and initialises its parameters deterministically from `seed`.
    public init(spec: ModelSpec, seed: UInt64 = 0) throws(EQMCoreError) {
        guard !spec.inputShape.isEmpty, spec.inputShape.allSatisfy({ $0 > 0 }) else {
            throw .invalidConfiguration("model input shape must have positive dimensions, found \(spec.inputShape)")
        }
        guard !spec.layers.isEmpty else { throw .invalidConfiguration("a model needs at least one layer") }
        guard spec.inputShape.count <= 2, spec.inputShape.allSatisfy({ $0 <= LayerSpec.maximumSize }) else {
            throw .invalidConfiguration(
                "model input shape must be [features] or [steps, channels] of at most \(LayerSpec.maximumSize) each, found \(spec.inputShape)"
            )
        }
        var layers = [any Layer]()
        var ranges = [Range<Int>]()
        var shape = spec.inputShape
        var offset = 0
        let seeds = SeededGenerator(seed: seed)
        for (index, layerSpec) in spec.layers.enumerated() {
            let layer = try layerSpec.makeLayer(inputShape: shape, seed: seeds.derived(UInt64(1000 + index)).peek())
            layers.append(layer)
            ranges.append(offset..<(offset + layer.parameterCount))
            offset += layer.parameterCount
            shape = layer.outputShape
            guard offset <= Self.maximumParameterCount else {
                throw .invalidConfiguration("model has more than \(Self.maximumParameterCount) parameters")
            }
        }
        guard shape == [EmotionLabel.count] else {
            throw .invalidConfiguration("a model must end in \(EmotionLabel.count) outputs (one per label), found \(shape)")
        }
        self.spec = spec
        self.layers = layers
        self.parameterRanges = ranges
        self.parameters = [Float](repeating: 0, count: offset)
        self.gradients = [Float](repeating: 0, count: offset)
        var generator = seeds.derived(1)
        parameters.withUnsafeMutableBufferPointer { all in
            for (layer, range) in zip(layers, ranges) where !range.isEmpty {
                layer.initializeParameters(UnsafeMutableBufferPointer(rebasing: all[range]), using: &generator)
            }
        }
    }

    /// The most parameters a model may have (models arrive over the network; bound the allocation).
    public static let maximumParameterCount = 64_000_000

    /// The number of trainable parameters.
    public var parameterCount: Int { parameters.count }

    /// The per-example input shape.
    public var inputShape: [Int] { spec.inputShape }

    /// The number of scalars in one input example.
    public var inputCount: Int { spec.inputShape.reduce(1, *) }

    /// A copy of the flat parameter vector.
    public func parameterVector() -> [Float] { parameters }

    /// Replaces the flat parameter vector.
    public func setParameterVector(_ vector: [Float]) throws(EQMCoreError) {
        guard vector.count == parameters.count else {
            throw .invalidShape("parameter vector has \(vector.count) values, this model needs \(parameters.count)")
        }
        guard vector.allSatisfy({ $0.isFinite }) else {
            throw .invalidData("parameter vector contains NaN or infinite values")
        }
        parameters = vector
    }

    /// Checks that a batch matches the model's input shape.
    public func validate(batch input: Tensor) throws(EQMCoreError) {
        guard input.shape.count == spec.inputShape.count + 1, Array(input.shape.dropFirst()) == spec.inputShape else {
            throw .invalidShape("expected a batch of shape [batch] + \(spec.inputShape), found \(input.shape)")
        }
    }

    /// Computes logits `[batch, labels]` for a batch.
    public func logits(_ input: Tensor) throws(EQMCoreError) -> Tensor {
        try validate(batch: input)
        return forward(input, training: false)
    }

    /// Runs every layer; internal callers have validated the shape.
    func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard input.batchSize > 0 else { return Tensor(zeros: [0, EmotionLabel.count]) }
        return parameters.withUnsafeBufferPointer { all in
            var activation = input
            for (layer, range) in zip(layers, parameterRanges) {
                activation = layer.forward(
                    consume activation, parameters: UnsafeBufferPointer(rebasing: all[range]), training: training)
            }
            return activation
        }
    }

    /// Back-propagates the loss gradient with respect to the logits of the last training forward pass.
    func backward(_ lossGradient: Tensor) {
        parameters.withUnsafeBufferPointer { all in
            var gradient = lossGradient
            for index in layers.indices.reversed() {
                let needsInput = index > 0
                let result = layers[index].backward(
                    gradient, parameters: UnsafeBufferPointer(rebasing: all[parameterRanges[index]]),
                    needsInputGradient: needsInput)
                if let result { gradient = result }
            }
        }
    }

    /// Sets `gradients` to `Σᵢ wᵢ·gᵢ` over the examples of the last backward pass.
    func collectGradients(exampleWeights: UnsafeBufferPointer<Float>?) {
        gradients.withUnsafeMutableBufferPointer { all in
            all.baseAddress!.update(repeating: 0, count: all.count)
            for (layer, range) in zip(layers, parameterRanges) where !range.isEmpty {
                layer.accumulateGradients(into: UnsafeMutableBufferPointer(rebasing: all[range]), exampleWeights: exampleWeights)
            }
        }
    }

    /// Writes each example's squared gradient norm (over all parameters) into `norms`.
    func perExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {
        norms.baseAddress!.update(repeating: 0, count: norms.count)
        for (layer, range) in zip(layers, parameterRanges) where !range.isEmpty {
            layer.addPerExampleSquaredNorms(into: norms)
        }
    }

    /// Predicts one example (a flat array in the input's row-major layout).
    public func predict(_ example: [Float]) throws(EQMCoreError) -> Prediction {
        guard example.count == inputCount else {
            throw .invalidShape("expected \(inputCount) input values for shape \(spec.inputShape), found \(example.count)")
        }
        let logits = forward(Tensor(uncheckedShape: [1] + spec.inputShape, scalars: example), training: false)
        return logits.withPointer { Prediction(logits: UnsafeBufferPointer(start: $0, count: EmotionLabel.count)) }
    }

    /// Predicts every example of a batch `[batch] + inputShape`.
    public func predict(batch input: Tensor) throws(EQMCoreError) -> [Prediction] {
        let logits = try logits(input)
        return logits.withPointer { base in
            (0..<input.batchSize).map {
                Prediction(logits: UnsafeBufferPointer(start: base + $0 * EmotionLabel.count, count: EmotionLabel.count))
            }
        }
    }
}

extension SeededGenerator {
    /// The next value without advancing (used to hand a layer a seed).
    fileprivate func peek() -> UInt64 {
        var copy = self
        return copy.next()
    }
}

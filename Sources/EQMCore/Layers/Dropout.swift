/// Inverted dropout: during training each element is zeroed with probability `rate` and the
/// survivors are scaled by 1 / (1 − rate); at inference it is the identity.
///
/// The mask comes from a seeded generator: dropout randomness protects nothing and must be
/// reproducible; it is not privacy noise.
public final class Dropout: Layer {
    /// The probability of dropping an element.
    public let rate: Float
    public let inputShape: [Int]
    private var mask = [Float]()
    private var generator: SeededGenerator

    /// Creates a dropout layer.
    public init(rate: Float, shape: [Int], seed: UInt64) throws(EQMCoreError) {
        guard rate >= 0 && rate < 1 else {
            throw .invalidConfiguration("dropout rate must be in [0, 1), found \(rate)")
        }
        self.rate = rate
        self.inputShape = shape
        self.generator = SeededGenerator(seed: seed)
    }

    public var spec: LayerSpec { .dropout(rate: rate) }
    public var outputShape: [Int] { inputShape }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        guard training, rate > 0 else {
            if training { mask = [] }
            return input
        }
        let keep = 1 / (1 - rate)
        let threshold = Double(rate)
        if mask.count != input.count { mask = [Float](repeating: 0, count: input.count) }
        var output = input
        output.scalars.withUnsafeMutableBufferPointer { values in
            for i in values.indices {
                let m: Float = generator.nextUnitInterval() < threshold ? 0 : keep
                mask[i] = m
                values[i] *= m
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        guard !mask.isEmpty else { return outputGradient }
        var gradient = outputGradient
        gradient.scalars.withUnsafeMutableBufferPointer { g in
            for i in g.indices { g[i] *= mask[i] }
        }
        return gradient
    }
}

/// Averages `[steps, channels]` examples over steps, giving `[channels]`.
public final class GlobalAveragePool1D: Layer {
    public let steps: Int
    public let channels: Int

    /// Creates a global average pooling layer.
    public init(steps: Int, channels: Int) throws(EQMCoreError) {
        guard steps > 0, channels > 0 else {
            throw .invalidConfiguration("GlobalAveragePool1D needs positive steps and channels, found \(steps)×\(channels)")
        }
        self.steps = steps
        self.channels = channels
    }

    public var spec: LayerSpec { .globalAveragePool1D }
    public var inputShape: [Int] { [steps, channels] }
    public var outputShape: [Int] { [channels] }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        precondition(input.exampleCount == steps * channels, "GlobalAveragePool1D expects \(steps)×\(channels) per example")
        let batch = input.batchSize
        let scale = 1 / Float(steps)
        let scalars = makeScalars(count: batch * channels) { out in
            out.update(repeating: 0, count: batch * channels)
            input.withPointer { x in
                for example in 0..<batch {
                    let y = out + example * channels
                    for t in 0..<steps { VectorMath.add(x + (example * steps + t) * channels, to: y, count: channels) }
                    VectorMath.scale(y, by: scale, count: channels)
                }
            }
        }
        return Tensor(uncheckedShape: [batch, channels], scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        let batch = outputGradient.batchSize
        let scale = 1 / Float(steps)
        let scalars = makeScalars(count: batch * steps * channels) { dx in
            outputGradient.withPointer { delta in
                for example in 0..<batch {
                    for t in 0..<steps {
                        let target = dx + (example * steps + t) * channels
                        for c in 0..<channels { target[c] = delta[example * channels + c] * scale }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [batch, steps, channels], scalars: scalars)
    }
}

/// Max pooling over steps of `[steps, channels]` examples, per channel.
public final class MaxPool1D: Layer {
    /// The number of steps each output takes the maximum over.
    public let poolSize: Int
    /// The distance between pooling windows (defaults to the pool size: non-overlapping).
    public let stride: Int
    public let steps: Int
    public let channels: Int
    public let outputSteps: Int
    private var argmax = [Int32]()
    private var batch = 0

    /// Creates a pooling layer for examples of `steps × channels`.
    public init(steps: Int, channels: Int, poolSize: Int, stride: Int? = nil) throws(EQMCoreError) {
        let stride = stride ?? poolSize
        guard poolSize > 0, stride > 0, channels > 0, steps >= poolSize else {
            throw .invalidConfiguration(
                "MaxPool1D needs pool size and stride > 0 and at least pool-size steps, found pool \(poolSize), stride \(stride), steps \(steps)"
            )
        }
        self.poolSize = poolSize
        self.stride = stride
        self.steps = steps
        self.channels = channels
        self.outputSteps = (steps - poolSize) / stride + 1
    }

    public var spec: LayerSpec { .maxPool1D(poolSize: poolSize, stride: stride) }
    public var inputShape: [Int] { [steps, channels] }
    public var outputShape: [Int] { [outputSteps, channels] }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        precondition(input.exampleCount == steps * channels, "MaxPool1D expects \(steps)×\(channels) per example")
        let batch = input.batchSize
        let outCount = batch * outputSteps * channels
        if training {
            if argmax.count < outCount { argmax = [Int32](repeating: 0, count: outCount) }
            self.batch = batch
        }
        let scalars = makeScalars(count: outCount) { out in
            input.withPointer { x in
                argmax.withUnsafeMutableBufferPointer { indices in
                    for example in 0..<batch {
                        let xe = x + example * steps * channels
                        for t in 0..<outputSteps {
                            let o = (example * outputSteps + t) * channels
                            let first = t * stride
                            var c = 0
                            // Eight channels at a time: compare whole rows, remember the winning step per lane.
                            while c + 8 <= channels {
                                var best = load8(xe + first * channels + c)
                                var bestStep = SIMD8<Int32>(repeating: Int32(first))
                                for s in (first + 1)..<(first + poolSize) {
                                    let v = load8(xe + s * channels + c)
                                    let better = v .> best
                                    best.replace(with: v, where: better)
                                    bestStep.replace(with: SIMD8(repeating: Int32(s)), where: better)
                                }
                                store8(out + o + c, best)
                                if training {
                                    for lane in 0..<8 { indices[o + c + lane] = bestStep[lane] }
                                }
                                c += 8
                            }
                            while c < channels {
                                var best = xe[first * channels + c], bestStep = first
                                for s in (first + 1)..<(first + poolSize) where xe[s * channels + c] > best {
                                    best = xe[s * channels + c]
                                    bestStep = s
                                }
                                out[o + c] = best
                                if training { indices[o + c] = Int32(bestStep) }
                                c += 1
                            }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [batch, outputSteps, channels], scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        guard needsInputGradient else { return nil }
        var gradient = [Float](repeating: 0, count: batch * steps * channels)
        gradient.withUnsafeMutableBufferPointer { dx in
            outputGradient.withPointer { delta in
                for example in 0..<batch {
                    for t in 0..<outputSteps {
                        let o = (example * outputSteps + t) * channels
                        for c in 0..<channels {
                            dx[(example * steps + Int(argmax[o + c])) * channels + c] += delta[o + c]
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [batch, steps, channels], scalars: gradient)
    }
}

/// A one-dimensional convolution over `[steps, channels]` examples (channels last), with stride
/// and symmetric zero padding.
///
/// Channels-last storage makes the receptive field of output step t — input steps
/// `t·stride ..< t·stride + kernelSize` — one contiguous run of `kernelSize × inputChannels`
/// floats, so the whole convolution is a single matrix product whose "rows" overlap in memory:
/// no im2col copy. Weights are stored `[kernelSize × inputChannels, outputChannels]`, then biases.
public final class Conv1D: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Int
    public let stride: Int
    public let padding: Int
    /// The number of input steps per example.
    public let steps: Int
    /// The number of output steps per example.
    public let outputSteps: Int

    private var paddedInput = [Float]()  // [batch, paddedSteps, inputChannels]
    private var batch = 0
    private var outputGradient = Tensor(zeros: [0])
    private var transposedWeights = [Float]()
    private var columnGradients = [Float]()
    private var perExample = PerExampleGradients()

    /// Creates a convolution for examples of `steps × inputChannels`.
    public init(
        steps: Int, inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1,
        padding: Int = 0
    ) throws(EQMCoreError) {
        guard steps > 0, inputChannels > 0, outputChannels > 0, kernelSize > 0, stride > 0, padding >= 0 else {
            throw .invalidConfiguration(
                "Conv1D needs positive steps, channels, kernel size and stride and non-negative padding, found steps \(steps), channels \(inputChannels)→\(outputChannels), kernel \(kernelSize), stride \(stride), padding \(padding)"
            )
        }
        guard steps + 2 * padding >= kernelSize else {
            throw .invalidShape(
                "Conv1D kernel \(kernelSize) is longer than the padded input (\(steps) steps + 2×\(padding) padding)")
        }
        self.steps = steps
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.outputSteps = (steps + 2 * padding - kernelSize) / stride + 1
    }

    public var spec: LayerSpec {
        .conv1D(outputChannels: outputChannels, kernelSize: kernelSize, stride: stride, padding: padding)
    }
    public var inputShape: [Int] { [steps, inputChannels] }
    public var outputShape: [Int] { [outputSteps, outputChannels] }
    public var parameterCount: Int { windowWidth * outputChannels + outputChannels }

    private var windowWidth: Int { kernelSize * inputChannels }
    private var paddedSteps: Int { steps + 2 * padding }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator) {
        Initializer.heUniform.fill(
            UnsafeMutableBufferPointer(rebasing: parameters[0..<(windowWidth * outputChannels)]),
            fanIn: windowWidth, fanOut: outputChannels * kernelSize, using: &generator)
        for i in (windowWidth * outputChannels)..<parameters.count { parameters[i] = 0 }
    }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        precondition(
            input.exampleCount == steps * inputChannels,
            "Conv1D expects \(steps)×\(inputChannels) per example, found \(input.exampleShape)")
        let batch = input.batchSize
        let source: [Float]
        if padding == 0 {
            source = input.scalars
        } else {
            source = pad(input, batch: batch)
        }
        let weights = parameters.baseAddress!, bias = weights + windowWidth * outputChannels
        let inExample = paddedSteps * inputChannels, outExample = outputSteps * outputChannels
        let scalars = makeScalars(count: batch * outExample) { out in
            source.withUnsafeBufferPointer { x in
                for example in 0..<batch {
                    let y = out + example * outExample
                    MatrixMultiply.multiply(
                        m: outputSteps, n: outputChannels, k: windowWidth,
                        a: x.baseAddress! + example * inExample, lda: stride * inputChannels,
                        b: weights, ldb: outputChannels, c: y, ldc: outputChannels, accumulate: false,
                        bias: bias)
                }
            }
        }
        if training {
            paddedInput = source
            self.batch = batch
        }
        return Tensor(uncheckedShape: [batch, outputSteps, outputChannels], scalars: scalars)
    }

    private func pad(_ input: Tensor, batch: Int) -> [Float] {
        let inExample = paddedSteps * inputChannels, original = steps * inputChannels
        var padded = [Float](repeating: 0, count: batch * inExample)
        padded.withUnsafeMutableBufferPointer { out in
            input.withPointer { x in
                for example in 0..<batch {
                    (out.baseAddress! + example * inExample + padding * inputChannels)
                        .update(from: x + example * original, count: original)
                }
            }
        }
        return padded
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        self.outputGradient = outputGradient
        perExample.isCurrent = false
        guard needsInputGradient else { return nil }
        let batch = outputGradient.batchSize
        let outExample = outputSteps * outputChannels
        if transposedWeights.count != windowWidth * outputChannels {
            transposedWeights = [Float](repeating: 0, count: windowWidth * outputChannels)
        }
        if columnGradients.count < outputSteps * windowWidth {
            columnGradients = [Float](repeating: 0, count: outputSteps * windowWidth)
        }
        let original = steps * inputChannels
        let scalars = makeScalars(count: batch * original) { out in
            out.update(repeating: 0, count: batch * original)
            transposedWeights.withUnsafeMutableBufferPointer { wt in
                MatrixMultiply.transpose(
                    rows: windowWidth, columns: outputChannels, parameters.baseAddress!,
                    lda: outputChannels, into: wt.baseAddress!)
                columnGradients.withUnsafeMutableBufferPointer { columns in
                    outputGradient.withPointer { delta in
                        for example in 0..<batch {
                            // Gradient of every window: Δ·Wᵀ, then overlap-add the windows back onto input steps.
                            MatrixMultiply.multiply(
                                m: outputSteps, n: windowWidth, k: outputChannels,
                                a: delta + example * outExample, lda: outputChannels,
                                b: wt.baseAddress!, ldb: windowWidth,
                                c: columns.baseAddress!, ldc: windowWidth, accumulate: false)
                            let dx = out + example * original
                            for t in 0..<outputSteps {
                                // Window t starts at padded step t·stride; skip the padding rows.
                                let firstPadded = t * stride
                                for k in 0..<kernelSize {
                                    let step = firstPadded + k - padding
                                    guard step >= 0 && step < steps else { continue }
                                    VectorMath.add(
                                        columns.baseAddress! + t * windowWidth + k * inputChannels,
                                        to: dx + step * inputChannels, count: inputChannels)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: [batch, steps, inputChannels], scalars: scalars)
    }

    /// Adds example `example`'s parameter gradient to `target` (`[window, out]` weights then biases).
    private func addExampleGradient(
        _ example: Int, x: UnsafePointer<Float>, delta: UnsafePointer<Float>,
        to target: UnsafeMutablePointer<Float>
    ) {
        let inExample = paddedSteps * inputChannels, outExample = outputSteps * outputChannels
        let d = delta + example * outExample
        // dW = Aᵀ·Δ with A the (overlapping) window rows: op(A)[i, t] = x[t·stride·C + i].
        MatrixMultiply.multiply(
            m: windowWidth, n: outputChannels, k: outputSteps,
            a: x + example * inExample, rowStride: 1, depthStride: stride * inputChannels,
            b: d, ldb: outputChannels, c: target, ldc: outputChannels, accumulate: true)
        let biasGradient = target + windowWidth * outputChannels
        for t in 0..<outputSteps { VectorMath.add(d + t * outputChannels, to: biasGradient, count: outputChannels) }
    }

    public func accumulateGradients(
        into gradients: UnsafeMutableBufferPointer<Float>, exampleWeights: UnsafeBufferPointer<Float>?
    ) {
        if exampleWeights != nil && !perExample.isCurrent { materializePerExample() }
        if perExample.isCurrent {
            perExample.accumulate(into: gradients, weights: exampleWeights)
            return
        }
        let batch = outputGradient.batchSize
        paddedInput.withUnsafeBufferPointer { x in
            outputGradient.withPointer { delta in
                for example in 0..<batch {
                    addExampleGradient(example, x: x.baseAddress!, delta: delta, to: gradients.baseAddress!)
                }
            }
        }
    }

    public func addPerExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {
        if !perExample.isCurrent { materializePerExample() }
        perExample.addSquaredNorms(into: norms)
    }

    private func materializePerExample() {
        let batch = outputGradient.batchSize
        paddedInput.withUnsafeBufferPointer { x in
            outputGradient.withPointer { delta in
                perExample.materialize(batch: batch, parameterCount: parameterCount) { example, target in
                    addExampleGradient(example, x: x.baseAddress!, delta: delta, to: target)
                }
            }
        }
    }
}

/// A fully connected layer: `y = x·W + b`, with `W` stored `inputs × outputs` row-major.
///
/// Per-example gradient norms need no per-example gradients: for one example the weight gradient
/// is the outer product `xᵢ δᵢᵀ`, whose squared norm is `‖xᵢ‖²·‖δᵢ‖²` ("ghost" norms, Goodfellow
/// 2015), so DP-SGD costs about as much as ordinary training here.
public final class Dense: Layer {
    /// The number of input features.
    public let inputs: Int
    /// The number of output features.
    public let outputs: Int
    /// The initialiser for the weights (biases start at zero).
    public let initializer: Initializer

    private var input = Tensor(zeros: [0])
    private var outputGradient = Tensor(zeros: [0])
    private var scratch = [Float]()

    /// Creates a dense layer.
    public init(inputs: Int, outputs: Int, initializer: Initializer = .heUniform) throws(EQMCoreError) {
        guard inputs > 0, outputs > 0 else {
            throw .invalidConfiguration("Dense needs positive inputs and outputs, found \(inputs) → \(outputs)")
        }
        self.inputs = inputs
        self.outputs = outputs
        self.initializer = initializer
    }

    public var spec: LayerSpec { .dense(outputs: outputs, initializer: initializer) }
    public var inputShape: [Int] { [inputs] }
    public var outputShape: [Int] { [outputs] }
    public var parameterCount: Int { inputs * outputs + outputs }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator) {
        initializer.fill(
            UnsafeMutableBufferPointer(rebasing: parameters[0..<(inputs * outputs)]),
            fanIn: inputs, fanOut: outputs, using: &generator)
        for i in (inputs * outputs)..<parameters.count { parameters[i] = 0 }
    }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        let batch = input.batchSize
        precondition(input.exampleCount == inputs, "Dense expects \(inputs) inputs per example, found \(input.exampleCount)")
        let weights = parameters.baseAddress!
        let bias = weights + inputs * outputs
        let scalars = makeScalars(count: batch * outputs) { out in
            input.withPointer { x in
                MatrixMultiply.multiply(
                    m: batch, n: outputs, k: inputs, a: x, lda: inputs,
                    b: weights, ldb: outputs, c: out, ldc: outputs, accumulate: false, bias: bias)
            }
        }
        if training { self.input = input }
        return Tensor(uncheckedShape: [batch, outputs], scalars: scalars)
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        self.outputGradient = outputGradient
        guard needsInputGradient else { return nil }
        let batch = outputGradient.batchSize
        // dX = Δ·Wᵀ: transpose W once into scratch so the kernel reads rows contiguously.
        ensureScratch(inputs * outputs)
        let scalars = makeScalars(count: batch * inputs) { out in
            scratch.withUnsafeMutableBufferPointer { transposed in
                MatrixMultiply.transpose(
                    rows: inputs, columns: outputs, parameters.baseAddress!, lda: outputs,
                    into: transposed.baseAddress!)
                outputGradient.withPointer { delta in
                    MatrixMultiply.multiply(
                        m: batch, n: inputs, k: outputs, a: delta, lda: outputs,
                        b: transposed.baseAddress!, ldb: inputs, c: out, ldc: inputs, accumulate: false)
                }
            }
        }
        return Tensor(uncheckedShape: [batch, inputs], scalars: scalars)
    }

    public func accumulateGradients(
        into gradients: UnsafeMutableBufferPointer<Float>, exampleWeights: UnsafeBufferPointer<Float>?
    ) {
        let batch = outputGradient.batchSize
        guard batch > 0 else { return }
        let weightGradient = gradients.baseAddress!
        let biasGradient = weightGradient + inputs * outputs
        if let exampleWeights {
            ensureScratch(batch * outputs)
            scratch.withUnsafeMutableBufferPointer { scaled in
                outputGradient.withPointer { delta in
                    for row in 0..<batch {
                        let w = exampleWeights[row]
                        let source = delta + row * outputs, target = scaled.baseAddress! + row * outputs
                        for j in 0..<outputs { target[j] = w * source[j] }
                    }
                }
                accumulate(
                    delta: UnsafePointer(scaled.baseAddress!), batch: batch, weightGradient: weightGradient,
                    biasGradient: biasGradient)
            }
        } else {
            outputGradient.withPointer { delta in
                accumulate(delta: delta, batch: batch, weightGradient: weightGradient, biasGradient: biasGradient)
            }
        }
    }

    private func accumulate(
        delta: UnsafePointer<Float>, batch: Int, weightGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>
    ) {
        input.withPointer { x in
            MatrixMultiply.multiply(
                transposeA: true, m: inputs, n: outputs, k: batch, a: x, lda: inputs,
                b: delta, ldb: outputs, c: weightGradient, ldc: outputs, accumulate: true)
        }
        for row in 0..<batch { VectorMath.add(delta + row * outputs, to: biasGradient, count: outputs) }
    }

    public func addPerExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {
        let batch = outputGradient.batchSize
        guard batch > 0 else { return }
        input.withPointer { x in
            outputGradient.withPointer { delta in
                for row in 0..<batch {
                    let inputNorm = VectorMath.sumOfSquares(x + row * inputs, count: inputs)
                    let deltaNorm = VectorMath.sumOfSquares(delta + row * outputs, count: outputs)
                    norms[row] += inputNorm * deltaNorm + deltaNorm
                }
            }
        }
    }

    private func ensureScratch(_ count: Int) {
        if scratch.count < count { scratch = [Float](repeating: 0, count: count) }
    }
}

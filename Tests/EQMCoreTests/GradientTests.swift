import EQMTestSupport
import Testing

@testable import EQMCore

/// Small architectures that together exercise every layer's forward, input gradient and parameter gradient.
enum CheckedArchitecture: String, CaseIterable, CustomTestStringConvertible {
    case denseTanhSigmoid, denseReLU, convolutional, recurrent, recurrentVectorised

    var spec: ModelSpec {
        switch self {
        case .denseTanhSigmoid:
            ModelSpec(
                inputShape: [6],
                layers: [
                    .dense(outputs: 8, initializer: .glorotUniform), .tanh,
                    .dense(outputs: 7), .sigmoid, .dense(outputs: 11),
                ])
        case .denseReLU:
            ModelSpec(inputShape: [5], layers: [.dense(outputs: 9), .relu, .dense(outputs: 11)])
        case .convolutional:
            ModelSpec(
                inputShape: [12, 3],
                layers: [
                    .conv1D(outputChannels: 4, kernelSize: 3, stride: 2, padding: 1), .tanh, .maxPool1D(poolSize: 2, stride: 1),
                    .conv1D(outputChannels: 5, kernelSize: 2), .sigmoid, .globalAveragePool1D, .dense(outputs: 11),
                ])
        case .recurrent:
            ModelSpec(
                inputShape: [5, 3], layers: [.gru(hidden: 4, returnSequences: true), .gru(hidden: 6), .dense(outputs: 11)])
        case .recurrentVectorised:
            // Hidden sizes that are multiples of eight take the SIMD gate path; 12 adds a scalar tail.
            ModelSpec(
                inputShape: [4, 3],
                layers: [
                    .gru(hidden: 8, returnSequences: true), .gru(hidden: 12), .tanh,
                    .dense(outputs: 11),
                ])
        }
    }

    var testDescription: String { rawValue }
}

@Suite("Gradients")
struct GradientTests {
    @Test("analytic gradients match central differences", arguments: CheckedArchitecture.allCases)
    func finiteDifferences(architecture: CheckedArchitecture) throws {
        let model = try SequentialModel(spec: architecture.spec, seed: 11)
        let (input, labels) = GradientCheck.randomBatch(for: model, batch: 3, seed: 5)
        // Float32 with ε = 1e-2: a few percent relative error is the resolution of the check; a wrong
        // gradient (sign, transposition, missing term) is off by far more.
        let error = GradientCheck.maximumRelativeError(model, input, labels)
        #expect(error < 0.05, "largest relative gradient error \(error)")
    }

    @Test(
        "per-example squared norms equal the norms of gradients computed one example at a time",
        arguments: CheckedArchitecture.allCases)
    func perExampleNorms(architecture: CheckedArchitecture) throws {
        let model = try SequentialModel(spec: architecture.spec, seed: 3)
        let (input, labels) = GradientCheck.randomBatch(for: model, batch: 5, seed: 9)
        let expected = GradientCheck.perExampleGradients(model, input, labels).map { g in g.reduce(0) { $0 + $1 * $1 } }

        let logits = model.forward(input, training: true)
        model.backward(SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 1).gradient)
        var norms = [Float](repeating: -1, count: 5)
        norms.withUnsafeMutableBufferPointer { model.perExampleSquaredNorms(into: $0) }
        for (actual, want) in zip(norms, expected) {
            #expect(abs(actual - want) <= 1e-4 * max(1, want), "norm² \(actual) vs \(want)")
        }
    }

    @Test("weighted gradient sums equal Σ wᵢ·gᵢ", arguments: CheckedArchitecture.allCases)
    func weightedSums(architecture: CheckedArchitecture) throws {
        let model = try SequentialModel(spec: architecture.spec, seed: 4)
        let (input, labels) = GradientCheck.randomBatch(for: model, batch: 4, seed: 2)
        let perExample = GradientCheck.perExampleGradients(model, input, labels)
        let weights: [Float] = [0.5, 1, 0.25, 0]
        var expected = [Float](repeating: 0, count: model.parameterCount)
        for (w, g) in zip(weights, perExample) { for i in expected.indices { expected[i] += w * g[i] } }

        let logits = model.forward(input, training: true)
        model.backward(SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 1).gradient)
        var norms = [Float](repeating: 0, count: 4)
        norms.withUnsafeMutableBufferPointer { model.perExampleSquaredNorms(into: $0) }  // as DP-SGD calls it
        weights.withUnsafeBufferPointer { model.collectGradients(exampleWeights: $0) }
        let worst = zip(model.gradients, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test("softmax cross-entropy gradient matches central differences on the logits")
    func lossGradient() throws {
        let logits = try Tensor(shape: [2, 11], scalars: (0..<22).map { Float($0 % 7) * 0.3 - 1 })
        let labels = [3, 10]
        let analytic = SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 0.5).gradient
        for index in 0..<22 {
            var plus = logits, minus = logits
            plus.scalars[index] += 1e-2
            minus.scalars[index] -= 1e-2
            let numeric =
                (SoftmaxCrossEntropy.lossAndGradient(logits: plus, labels: labels, scale: 0).loss
                    - SoftmaxCrossEntropy.lossAndGradient(logits: minus, labels: labels, scale: 0).loss) / 2e-2
            #expect(abs(Double(analytic.scalars[index]) - numeric) < 1e-3)
        }
    }

    @Test("dropout zeroes and rescales in training, is the identity at inference, and masks its gradient")
    func dropout() throws {
        let layer = try Dropout(rate: 0.5, shape: [1000], seed: 1)
        let input = try Tensor(shape: [1, 1000], scalars: [Float](repeating: 1, count: 1000))
        let empty = UnsafeBufferPointer<Float>(start: nil, count: 0)
        #expect(layer.forward(input, parameters: empty, training: false) == input)
        let output = layer.forward(input, parameters: empty, training: true)
        let kept = output.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { $0 == 2 })
        #expect((400...600).contains(kept.count))
        let gradient = try #require(layer.backward(input, parameters: empty, needsInputGradient: true))
        #expect(gradient == output)
    }

    @Test("vectorised exp, sigmoid and tanh match libm")
    func simdMath() {
        var worstExp: Float = 0, worstSigmoid: Float = 0, worstTanh: Float = 0
        var x: Float = -90
        while x < 90 {
            let v = SIMD8<Float>((0..<8).map { x + Float($0) * 0.01 })
            let e = SIMDMath.exp(v), s = SIMDMath.sigmoid(v), t = SIMDMath.tanh(v)
            for lane in 0..<8 {
                let want = Math.exp(Double(v[lane]))
                if want > 1e-30 && want < 1e30 { worstExp = max(worstExp, Float(abs(Double(e[lane]) - want) / want)) }
                worstSigmoid = max(worstSigmoid, abs(s[lane] - Activation.sigmoid(v[lane])))
                worstTanh = max(worstTanh, abs(t[lane] - Math.tanh(v[lane])))
            }
            x += 0.37
        }
        #expect(worstExp < 1e-6, "exp relative error \(worstExp)")
        #expect(worstSigmoid < 1e-6, "sigmoid absolute error \(worstSigmoid)")
        #expect(worstTanh < 1e-6, "tanh absolute error \(worstTanh)")
    }

    @Test("matrix multiplication matches a naive product for every blocking edge case")
    func matrixMultiply() {
        var generator = SeededGenerator(seed: 8)
        for (m, n, k) in [(1, 1, 1), (3, 7, 5), (4, 16, 9), (5, 17, 3), (9, 33, 12), (13, 8, 1), (64, 64, 48)] {
            let a = (0..<(m * k)).map { _ in Float(generator.nextGaussian()) }
            let b = (0..<(k * n)).map { _ in Float(generator.nextGaussian()) }
            var c = [Float](repeating: 1, count: m * n)
            var cT = [Float](repeating: 0, count: m * n)
            let aT = (0..<(k * m)).map { index in a[(index % m) * k + index / m] }  // aT[p][i] = a[i][p]
            MatrixMultiply.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n, accumulate: true)
            MatrixMultiply.multiply(
                transposeA: true, m: m, n: n, k: k, a: aT, lda: m, b: b, ldb: n, c: &cT, ldc: n,
                accumulate: false)
            let bias = (0..<n).map { Float($0) * 0.5 }
            var cBias = [Float](repeating: 7, count: m * n)
            MatrixMultiply.multiply(
                m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &cBias, ldc: n, accumulate: false,
                bias: bias)
            for i in 0..<m {
                for j in 0..<n {
                    var want: Float = 0
                    for p in 0..<k { want += a[i * k + p] * b[p * n + j] }
                    #expect(abs(c[i * n + j] - (want + 1)) < 1e-4)
                    #expect(abs(cT[i * n + j] - want) < 1e-4)
                    #expect(abs(cBias[i * n + j] - (want + bias[j])) < 1e-4)
                }
            }
        }
    }
}

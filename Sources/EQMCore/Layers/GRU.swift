/// A gated recurrent unit layer over `[steps, features]` examples (Cho et al. 2014, in the
/// formulation PyTorch uses, with separate input and recurrent biases):
///
///     r = σ(Wᵢᵣx + bᵢᵣ + Wₕᵣh + bₕᵣ)
///     z = σ(Wᵢ𝓏x + bᵢ𝓏 + Wₕ𝓏h + bₕ𝓏)
///     n = tanh(Wᵢₙx + bᵢₙ + r ⊙ (Wₕₙh + bₕₙ))
///     h′ = (1 − z) ⊙ n + z ⊙ h
///
/// The output is the last hidden state `[hidden]`, or every state `[steps, hidden]` with
/// `returnSequences`. Parameters: `Wx [features, 3·hidden]`, `Wh [hidden, 3·hidden]`, `bx [3·hidden]`,
/// `bh [3·hidden]`, gates in the order r, z, n. The input projection of all steps is one matrix
/// product; back-propagation through time keeps every step's gate gradients, so per-example
/// parameter gradients (for DP-SGD) are one small product per example.
public final class GRU: Layer {
    public let features: Int
    public let hidden: Int
    public let steps: Int
    /// Whether the output is every step's state rather than only the last.
    public let returnSequences: Bool

    private var batch = 0
    private var input = Tensor(zeros: [0])
    // Per-step caches, laid out [batch, steps, hidden] (gate gradients [batch, steps, 3·hidden]).
    private var previousHidden = [Float](), resetGate = [Float](), updateGate = [Float](), candidate = [Float]()
    private var recurrentCandidate = [Float]()
    private var inputGateGradients = [Float](), recurrentGateGradients = [Float]()
    private var perExample = PerExampleGradients()
    private var scratch = [Float]()

    /// Creates a GRU for examples of `steps × features`.
    public init(steps: Int, features: Int, hidden: Int, returnSequences: Bool = false) throws(EQMCoreError) {
        guard steps > 0, features > 0, hidden > 0 else {
            throw .invalidConfiguration(
                "GRU needs positive steps, features and hidden size, found \(steps)×\(features), hidden \(hidden)")
        }
        self.steps = steps
        self.features = features
        self.hidden = hidden
        self.returnSequences = returnSequences
    }

    public var spec: LayerSpec { .gru(hidden: hidden, returnSequences: returnSequences) }
    public var inputShape: [Int] { [steps, features] }
    public var outputShape: [Int] { returnSequences ? [steps, hidden] : [hidden] }
    public var parameterCount: Int { (features + hidden) * gateWidth + 2 * gateWidth }

    private var gateWidth: Int { 3 * hidden }
    private var recurrentWeightsOffset: Int { features * gateWidth }
    private var inputBiasOffset: Int { (features + hidden) * gateWidth }
    private var recurrentBiasOffset: Int { inputBiasOffset + gateWidth }

    public func initializeParameters(_ parameters: UnsafeMutableBufferPointer<Float>, using generator: inout SeededGenerator) {
        // PyTorch's default: uniform ±1/√hidden for every weight and bias.
        let limit = 1 / Double(hidden).squareRoot()
        for i in parameters.indices { parameters[i] = Float((generator.nextUnitInterval() * 2 - 1) * limit) }
    }

    private func ensure(_ array: inout [Float], _ count: Int) {
        if array.count < count { array = [Float](repeating: 0, count: count) }
    }

    public func forward(_ input: consuming Tensor, parameters: UnsafeBufferPointer<Float>, training: Bool) -> Tensor {
        precondition(
            input.exampleCount == steps * features, "GRU expects \(steps)×\(features) per example, found \(input.exampleShape)")
        let batch = input.batchSize
        let H = hidden, G = gateWidth, T = steps
        let w = parameters.baseAddress!
        let wx = w, wh = w + recurrentWeightsOffset, bx = w + inputBiasOffset, bh = w + recurrentBiasOffset
        let cacheCount = batch * T * H
        ensure(&previousHidden, cacheCount); ensure(&resetGate, cacheCount); ensure(&updateGate, cacheCount)
        ensure(&candidate, cacheCount); ensure(&recurrentCandidate, cacheCount)
        // scratch: input projections [batch·steps, G], recurrent projections [batch, G], hidden [batch, H]
        ensure(&scratch, batch * T * G + batch * G + batch * H)
        let outputCount = returnSequences ? batch * T * H : batch * H

        let output = makeScalars(count: outputCount) { out in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                let projections = scratchBuffer.baseAddress!
                let recurrent = projections + batch * T * G
                let h = recurrent + batch * G
                h.update(repeating: 0, count: batch * H)
                input.withPointer { x in
                    MatrixMultiply.multiply(
                        m: batch * T, n: G, k: features, a: x, lda: features, b: wx, ldb: G,
                        c: projections, ldc: G, accumulate: false, bias: bx)
                }
                previousHidden.withUnsafeMutableBufferPointer { hp in
                    resetGate.withUnsafeMutableBufferPointer { rg in
                        updateGate.withUnsafeMutableBufferPointer { ug in
                            candidate.withUnsafeMutableBufferPointer { cg in
                                recurrentCandidate.withUnsafeMutableBufferPointer { rc in
                                    for t in 0..<T {
                                        MatrixMultiply.multiply(
                                            m: batch, n: G, k: H, a: h, lda: H, b: wh, ldb: G, c: recurrent,
                                            ldc: G, accumulate: false, bias: bh)
                                        for example in 0..<batch {
                                            let gx = projections + (example * T + t) * G, gh = recurrent + example * G
                                            let he = h + example * H
                                            let cache = (example * T + t) * H
                                            var j = 0
                                            while j + 8 <= H {
                                                let r = SIMDMath.sigmoid(load8(gx + j) + load8(gh + j))
                                                let z = SIMDMath.sigmoid(load8(gx + H + j) + load8(gh + H + j))
                                                let recurrentN = load8(gh + 2 * H + j)
                                                let n = SIMDMath.tanh(load8(gx + 2 * H + j) + r * recurrentN)
                                                let previous = load8(he + j)
                                                if training {
                                                    let c = cache + j
                                                    store8(hp.baseAddress! + c, previous); store8(rg.baseAddress! + c, r)
                                                    store8(ug.baseAddress! + c, z); store8(cg.baseAddress! + c, n)
                                                    store8(rc.baseAddress! + c, recurrentN)
                                                }
                                                store8(he + j, (1 - z) * n + z * previous)
                                                j += 8
                                            }
                                            while j < H {
                                                let r = Activation.sigmoid(gx[j] + gh[j])
                                                let z = Activation.sigmoid(gx[H + j] + gh[H + j])
                                                let n = Math.tanh(gx[2 * H + j] + r * gh[2 * H + j])
                                                let previous = he[j]
                                                if training {
                                                    hp[cache + j] = previous; rg[cache + j] = r; ug[cache + j] = z
                                                    cg[cache + j] = n; rc[cache + j] = gh[2 * H + j]
                                                }
                                                he[j] = (1 - z) * n + z * previous
                                                j += 1
                                            }
                                            if returnSequences { (out + (example * T + t) * H).update(from: he, count: H) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                if !returnSequences { out.update(from: h, count: batch * H) }
            }
        }
        if training {
            self.batch = batch
            self.input = input
        }
        return Tensor(uncheckedShape: returnSequences ? [batch, T, H] : [batch, H], scalars: output)
    }

    public func backward(_ outputGradient: Tensor, parameters: UnsafeBufferPointer<Float>, needsInputGradient: Bool) -> Tensor? {
        let H = hidden, G = gateWidth, T = steps
        let w = parameters.baseAddress!
        let wx = w, wh = w + recurrentWeightsOffset
        perExample.isCurrent = false
        ensure(&inputGateGradients, batch * T * G)
        ensure(&recurrentGateGradients, batch * T * G)
        // scratch: Whᵀ [G, H], dh [batch, H], dh_previous [batch, H]
        ensure(&scratch, G * H + 2 * batch * H + G * features)
        scratch.withUnsafeMutableBufferPointer { scratchBuffer in
            let whT = scratchBuffer.baseAddress!
            let dh = whT + G * H, dhPrevious = dh + batch * H
            MatrixMultiply.transpose(rows: H, columns: G, wh, lda: G, into: whT)
            outputGradient.withPointer { dy in
                if returnSequences { dh.update(repeating: 0, count: batch * H) } else { dh.update(from: dy, count: batch * H) }
                previousHidden.withUnsafeBufferPointer { hp in
                    resetGate.withUnsafeBufferPointer { rg in
                        updateGate.withUnsafeBufferPointer { ug in
                            candidate.withUnsafeBufferPointer { cg in
                                recurrentCandidate.withUnsafeBufferPointer { rc in
                                    inputGateGradients.withUnsafeMutableBufferPointer { dgxAll in
                                        recurrentGateGradients.withUnsafeMutableBufferPointer { dghAll in
                                            for t in stride(from: T - 1, through: 0, by: -1) {
                                                for example in 0..<batch {
                                                    let dhe = dh + example * H
                                                    if returnSequences {
                                                        VectorMath.add(dy + (example * T + t) * H, to: dhe, count: H)
                                                    }
                                                    let cache = (example * T + t) * H
                                                    let dgx = dgxAll.baseAddress! + (example * T + t) * G
                                                    let dgh = dghAll.baseAddress! + (example * T + t) * G
                                                    let dhp = dhPrevious + example * H
                                                    var j = 0
                                                    while j + 8 <= H {
                                                        let c = cache + j
                                                        let r = load8(rg.baseAddress! + c), z = load8(ug.baseAddress! + c),
                                                            n = load8(cg.baseAddress! + c)
                                                        let g = load8(dhe + j)
                                                        let dz = g * (load8(hp.baseAddress! + c) - n)
                                                        let dan = g * (1 - z) * (1 - n * n)
                                                        let dar = dan * load8(rc.baseAddress! + c) * r * (1 - r)
                                                        let daz = dz * z * (1 - z)
                                                        store8(dgx + j, dar); store8(dgx + H + j, daz);
                                                        store8(dgx + 2 * H + j, dan)
                                                        store8(dgh + j, dar); store8(dgh + H + j, daz);
                                                        store8(dgh + 2 * H + j, dan * r)
                                                        store8(dhp + j, g * z)
                                                        j += 8
                                                    }
                                                    while j < H {
                                                        let r = rg[cache + j], z = ug[cache + j], n = cg[cache + j]
                                                        let g = dhe[j]
                                                        let dn = g * (1 - z)
                                                        let dz = g * (hp[cache + j] - n)
                                                        let dan = dn * (1 - n * n)
                                                        let dar = dan * rc[cache + j] * r * (1 - r)
                                                        let daz = dz * z * (1 - z)
                                                        dgx[j] = dar; dgx[H + j] = daz; dgx[2 * H + j] = dan
                                                        dgh[j] = dar; dgh[H + j] = daz; dgh[2 * H + j] = dan * r
                                                        dhp[j] = g * z
                                                        j += 1
                                                    }
                                                }
                                                // dh_previous += dgh_t · Whᵀ for the whole batch (gate gradients of step t are strided by T·G).
                                                MatrixMultiply.multiply(
                                                    m: batch, n: H, k: G, a: dghAll.baseAddress! + t * G, lda: T * G,
                                                    b: whT, ldb: H, c: dhPrevious, ldc: H, accumulate: true)
                                                dh.update(from: dhPrevious, count: batch * H)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard needsInputGradient else { return nil }
        let scalars = makeScalars(count: batch * T * features) { dx in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                let wxT = scratchBuffer.baseAddress! + G * H + 2 * batch * H
                MatrixMultiply.transpose(rows: features, columns: G, wx, lda: G, into: wxT)
                inputGateGradients.withUnsafeBufferPointer { dgx in
                    MatrixMultiply.multiply(
                        m: batch * T, n: features, k: G, a: dgx.baseAddress!, lda: G,
                        b: wxT, ldb: features, c: dx, ldc: features, accumulate: false)
                }
            }
        }
        return Tensor(uncheckedShape: [batch, T, features], scalars: scalars)
    }

    /// Adds the gradient of examples `first ..< first + count` (consecutive rows) to `target`.
    private func addGradient(examples first: Int, count: Int, to target: UnsafeMutablePointer<Float>) {
        let H = hidden, G = gateWidth, T = steps
        let rows = count * T
        input.withPointer { x in
            previousHidden.withUnsafeBufferPointer { hp in
                inputGateGradients.withUnsafeBufferPointer { dgx in
                    recurrentGateGradients.withUnsafeBufferPointer { dgh in
                        let xRows = x + first * T * features
                        let hRows = hp.baseAddress! + first * T * H
                        let dgxRows = dgx.baseAddress! + first * T * G, dghRows = dgh.baseAddress! + first * T * G
                        MatrixMultiply.multiply(
                            transposeA: true, m: features, n: G, k: rows, a: xRows, lda: features,
                            b: dgxRows, ldb: G, c: target, ldc: G, accumulate: true)
                        MatrixMultiply.multiply(
                            transposeA: true, m: H, n: G, k: rows, a: hRows, lda: H,
                            b: dghRows, ldb: G, c: target + recurrentWeightsOffset, ldc: G, accumulate: true)
                        for row in 0..<rows {
                            VectorMath.add(dgxRows + row * G, to: target + inputBiasOffset, count: G)
                            VectorMath.add(dghRows + row * G, to: target + recurrentBiasOffset, count: G)
                        }
                    }
                }
            }
        }
    }

    public func accumulateGradients(
        into gradients: UnsafeMutableBufferPointer<Float>, exampleWeights: UnsafeBufferPointer<Float>?
    ) {
        if exampleWeights != nil && !perExample.isCurrent { materializePerExample() }
        if perExample.isCurrent {
            perExample.accumulate(into: gradients, weights: exampleWeights)
        } else if batch > 0 {
            addGradient(examples: 0, count: batch, to: gradients.baseAddress!)
        }
    }

    public func addPerExampleSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {
        if !perExample.isCurrent { materializePerExample() }
        perExample.addSquaredNorms(into: norms)
    }

    private func materializePerExample() {
        perExample.materialize(batch: batch, parameterCount: parameterCount) { example, target in
            addGradient(examples: example, count: 1, to: target)
        }
    }
}

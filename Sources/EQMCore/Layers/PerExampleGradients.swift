/// Per-example parameter gradients for layers whose example gradients are not outer products
/// (convolutions, recurrent layers): materialised once per step in a `[batch, parameters]`
/// buffer when DP-SGD asks for norms, then reused for the weighted sum.
struct PerExampleGradients {
    private(set) var values = [Float]()
    private(set) var batch = 0
    private(set) var parameterCount = 0
    /// Whether `values` holds the gradients of the latest backward pass.
    var isCurrent = false

    /// Computes every example's gradient with `compute(example, destination)` (destination zeroed).
    mutating func materialize(
        batch: Int, parameterCount: Int,
        _ compute: (Int, UnsafeMutablePointer<Float>) -> Void
    ) {
        self.batch = batch
        self.parameterCount = parameterCount
        let needed = batch * parameterCount
        if values.count < needed { values = [Float](repeating: 0, count: needed) }
        values.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            base.update(repeating: 0, count: needed)
            for example in 0..<batch { compute(example, base + example * parameterCount) }
        }
        isCurrent = true
    }

    /// Adds each example's squared gradient norm to `norms`.
    func addSquaredNorms(into norms: UnsafeMutableBufferPointer<Float>) {
        values.withUnsafeBufferPointer { buffer in
            for example in 0..<batch {
                norms[example] += VectorMath.sumOfSquares(buffer.baseAddress! + example * parameterCount, count: parameterCount)
            }
        }
    }

    /// Adds `Σᵢ wᵢ·gᵢ` to `gradients`.
    func accumulate(into gradients: UnsafeMutableBufferPointer<Float>, weights: UnsafeBufferPointer<Float>?) {
        values.withUnsafeBufferPointer { buffer in
            for example in 0..<batch {
                VectorMath.addScaled(
                    buffer.baseAddress! + example * parameterCount, scale: weights?[example] ?? 1,
                    to: gradients.baseAddress!, count: parameterCount)
            }
        }
    }
}

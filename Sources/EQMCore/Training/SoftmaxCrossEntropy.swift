/// Softmax cross-entropy over the ``EmotionLabel`` logits.
public enum SoftmaxCrossEntropy {
    /// Writes softmax(`logits`) into `output` (numerically stable: the maximum is subtracted first).
    static func softmax(_ logits: UnsafePointer<Float>, into output: inout [Float], count: Int) {
        var maximum = logits[0]
        for i in 1..<count { maximum = max(maximum, logits[i]) }
        var sum: Float = 0
        for i in 0..<count {
            let e = Math.exp(logits[i] - maximum)
            output[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { output[i] *= inverse }
    }

    /// The mean loss over the batch and the gradient of `scale × Σ lossᵢ` with respect to the logits.
    ///
    /// With `scale = 1 / batch` this is the gradient of the mean loss; DP-SGD uses `scale = 1` so
    /// that row i is exactly example i's own gradient (clipping is per example, before averaging).
    public static func lossAndGradient(logits: Tensor, labels: [Int], scale: Float) -> (loss: Double, gradient: Tensor) {
        let batch = logits.batchSize, classes = logits.exampleCount
        precondition(labels.count == batch, "one label per example")
        var gradient = logits
        var total = 0.0
        var row = [Float](repeating: 0, count: classes)
        gradient.scalars.withUnsafeMutableBufferPointer { g in
            logits.withPointer { z in
                for example in 0..<batch {
                    softmax(z + example * classes, into: &row, count: classes)
                    let label = labels[example]
                    total -= Double(Math.log(max(row[label], Float.leastNormalMagnitude)))
                    for c in 0..<classes {
                        g[example * classes + c] = (row[c] - (c == label ? 1 : 0)) * scale
                    }
                }
            }
        }
        return (batch > 0 ? total / Double(batch) : 0, gradient)
    }
}

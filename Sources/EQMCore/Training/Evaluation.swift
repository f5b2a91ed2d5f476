/// Classification metrics of a model on labelled examples.
public struct Evaluation: Codable, Sendable, Hashable {
    /// The number of examples evaluated.
    public var examples: Int
    /// Mean cross-entropy loss.
    public var loss: Double
    /// Fraction of examples whose top label is right.
    public var accuracy: Double
    /// Unweighted mean of per-label F1 over the labels that occur in the truth or the predictions.
    public var macroF1: Double
    /// `confusion[truth][predicted]` counts, in ``EmotionLabel`` order.
    public var confusion: [[Int]]

    /// Accuracy of always predicting one label uniformly at random: 1 / labels.
    public static let chanceAccuracy = 1.0 / Double(EmotionLabel.count)

    /// Evaluates `model` on `data` in batches.
    public static func evaluate(_ model: SequentialModel, on data: LabelledExamples, batchSize: Int = 256) throws(EQMCoreError)
        -> Evaluation
    {
        guard data.exampleShape == model.inputShape else {
            throw .invalidShape(
                "evaluation data has examples of shape \(data.exampleShape), the model expects \(model.inputShape)")
        }
        let classes = EmotionLabel.count
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var totalLoss = 0.0
        var start = 0
        while start < data.count {
            let end = min(data.count, start + max(1, batchSize))
            let (input, labels) = data.batch(start..<end)
            let logits = model.forward(input, training: false)
            totalLoss += SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 0).loss * Double(labels.count)
            logits.withPointer { z in
                for (row, truth) in labels.enumerated() {
                    var best = 0
                    for c in 1..<classes where z[row * classes + c] > z[row * classes + best] { best = c }
                    confusion[truth][best] += 1
                }
            }
            start = end
        }
        return Evaluation(confusion: confusion, loss: data.count > 0 ? totalLoss / Double(data.count) : 0)
    }

    /// Derives the metrics from a confusion matrix.
    public init(confusion: [[Int]], loss: Double) {
        let classes = confusion.count
        var correct = 0, total = 0
        var f1Sum = 0.0, present = 0
        for c in 0..<classes {
            let truePositives = confusion[c][c]
            let actual = confusion[c].reduce(0, +)
            let predicted = (0..<classes).reduce(0) { $0 + confusion[$1][c] }
            correct += truePositives
            total += actual
            guard actual + predicted > 0 else { continue }
            present += 1
            f1Sum += 2 * Double(truePositives) / Double(actual + predicted)
        }
        self.examples = total
        self.loss = loss
        self.accuracy = total > 0 ? Double(correct) / Double(total) : 0
        self.macroF1 = present > 0 ? f1Sum / Double(present) : 0
        self.confusion = confusion
    }
}

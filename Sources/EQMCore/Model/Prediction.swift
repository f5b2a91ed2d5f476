/// A model's answer for one window: the full probability distribution over ``EmotionLabel``s and
/// the most probable label with its probability as the confidence.
public struct Prediction: Sendable, Hashable, Codable {
    /// Probabilities in ``EmotionLabel/allCases`` order; they sum to 1.
    public var probabilities: [Float]
    /// The most probable label.
    public var label: EmotionLabel
    /// The probability of `label`.
    public var confidence: Float

    /// Creates a prediction from logits (softmax).
    public init(logits: UnsafeBufferPointer<Float>) {
        precondition(logits.count == EmotionLabel.count, "expected \(EmotionLabel.count) logits")
        var probabilities = [Float](repeating: 0, count: logits.count)
        SoftmaxCrossEntropy.softmax(logits.baseAddress!, into: &probabilities, count: logits.count)
        var best = 0
        for i in 1..<probabilities.count where probabilities[i] > probabilities[best] { best = i }
        self.probabilities = probabilities
        self.label = EmotionLabel(index: best)!
        self.confidence = probabilities[best]
    }

    /// The probability of a label.
    public func probability(of label: EmotionLabel) -> Float { probabilities[label.index] }

    /// The distribution keyed by label name, for JSON output.
    public var distribution: [String: Float] {
        Dictionary(uniqueKeysWithValues: EmotionLabel.allCases.map { ($0.rawValue, probabilities[$0.index]) })
    }
}

@testable public import EQMCore

/// Finite-difference checks of analytic gradients, shared by the core's test suites.
public enum GradientCheck {
    /// A deterministic random batch for a model: inputs in [-1, 1] and labels.
    public static func randomBatch(for model: SequentialModel, batch: Int, seed: UInt64) -> (Tensor, [Int]) {
        var generator = SeededGenerator(seed: seed)
        let scalars = (0..<(batch * model.inputCount)).map { _ in Float(generator.nextUnitInterval() * 2 - 1) }
        let labels = (0..<batch).map { _ in Int(generator.next() % UInt64(EmotionLabel.count)) }
        return (try! Tensor(shape: [batch] + model.inputShape, scalars: scalars), labels)
    }

    /// The mean loss of a batch at the model's current parameters (no training-mode caching).
    public static func loss(_ model: SequentialModel, _ input: Tensor, _ labels: [Int]) -> Double {
        let logits = model.forward(input, training: false)
        return SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 0).loss
    }

    /// The analytic gradient of the mean loss with respect to all parameters.
    public static func analyticGradient(_ model: SequentialModel, _ input: Tensor, _ labels: [Int]) -> [Float] {
        let logits = model.forward(input, training: true)
        let result = SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: labels, scale: 1 / Float(labels.count))
        model.backward(result.gradient)
        model.collectGradients(exampleWeights: nil)
        return model.gradients
    }

    /// Largest relative error between analytic and central-difference gradients over `indices`
    /// (all parameters when nil). The relative error is |a − n| / max(|a| + |n|, floor).
    public static func maximumRelativeError(
        _ model: SequentialModel, _ input: Tensor, _ labels: [Int],
        epsilon: Float = 1e-2, floor: Double = 1e-3
    ) -> Double {
        let analytic = analyticGradient(model, input, labels)
        var worst = 0.0
        for index in 0..<model.parameterCount {
            let original = model.parameters[index]
            model.parameters[index] = original + epsilon
            let plus = loss(model, input, labels)
            model.parameters[index] = original - epsilon
            let minus = loss(model, input, labels)
            model.parameters[index] = original
            let numeric = (plus - minus) / (2 * Double(epsilon))
            let a = Double(analytic[index])
            let error = abs(a - numeric) / max(abs(a) + abs(numeric), floor)
            worst = max(worst, error)
        }
        return worst
    }

    /// Each example's own parameter gradient (summed loss of that example alone), by running it as a batch of one.
    public static func perExampleGradients(_ model: SequentialModel, _ input: Tensor, _ labels: [Int]) -> [[Float]] {
        let width = model.inputCount
        return (0..<labels.count).map { example in
            let single = try! Tensor(
                shape: [1] + model.inputShape,
                scalars: Array(input.scalars[(example * width)..<((example + 1) * width)]))
            let logits = model.forward(single, training: true)
            let result = SoftmaxCrossEntropy.lossAndGradient(logits: logits, labels: [labels[example]], scale: 1)
            model.backward(result.gradient)
            model.collectGradients(exampleWeights: nil)
            return model.gradients
        }
    }
}

public import EQMAPI
public import EQMCore

/// The training and evaluation a node does on its own examples. Only the update (a parameter
/// difference) leaves this code, and only into the SecAgg+ encoding, which clips, quantises,
/// noises and masks it.
public enum LocalTraining {
    /// SGD from `base` for `epochs` passes over `data`; returns trained − base.
    public static func update(
        spec: ModelSpec, base: [Float], data: LabelledExamples, epochs: Int, batch: Int, learningRate: Double, seed: UInt64
    ) throws -> [Float] {
        let model = try SequentialModel(spec: spec, seed: seed)
        try model.setParameterVector(base)
        try train(model, on: data, epochs: epochs, batch: batch, learningRate: learningRate, seed: seed)
        return zip(model.parameterVector(), base).map { $0 - $1 }
    }

    /// Trains `model` in place with plain SGD; returns each epoch's mean loss.
    @discardableResult
    public static func train(
        _ model: SequentialModel, on data: LabelledExamples, epochs: Int, batch: Int, learningRate: Double, seed: UInt64,
        progress: ((EpochReport) -> Void)? = nil
    ) throws -> [Double] {
        let trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                batchSize: min(batch, max(1, data.count)), optimizer: .sgd(learningRate: Float(learningRate), momentum: 0),
                seed: seed))
        var losses: [Double] = []
        for epoch in 1...max(1, epochs) {
            let report = try trainer.trainEpoch(data, epoch: epoch)
            losses.append(report.loss)
            progress?(report)
        }
        return losses
    }

    /// Scores `model` on the node's examples as an evaluation round reports it: counts only.
    public static func evaluation(of model: SequentialModel, on data: LabelledExamples, version: String) throws
        -> EvaluationSubmission
    {
        let result = try Evaluation.evaluate(model, on: data)
        return EvaluationSubmission(
            modelVersion: version, confusion: result.confusion, lossSum: result.loss * Double(result.examples))
    }
}

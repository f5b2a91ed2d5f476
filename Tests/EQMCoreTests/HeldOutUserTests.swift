import Testing

@testable import EQMCore

/// The acceptance test of the training core: a model trained on some synthetic users recognises
/// the states of users it has never seen clearly better than chance (1/11 ≈ 9.1%).
@Suite("Learning on held-out users")
struct HeldOutUserTests {
    static func data(users: Int, seed: UInt64) throws -> (training: LabelledExamples, heldOut: LabelledExamples) {
        let configuration = CohortConfiguration(users: users, minutesPerUser: 30, seed: seed)
        let dataset = try WindowDataset.build(
            recordings: SyntheticCohort.recordings(configuration: configuration),
            representation: .features)
        let (training, heldOut) = try dataset.split(heldOutFraction: 0.25, seed: seed)
        #expect(Set(training.users).isDisjoint(with: heldOut.users))
        return (try training.labelledExamples(), try heldOut.labelledExamples())
    }

    @Test("an MLP without DP beats chance clearly on held-out users")
    func withoutPrivacy() throws {
        let (training, heldOut) = try Self.data(users: 40, seed: 42)
        let model = try SequentialModel(spec: .mlp(), seed: 1)
        let trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                batchSize: 32, optimizer: .sgd(learningRate: 0.02, momentum: 0.9), seed: 1))
        for epoch in 1...15 { _ = try trainer.trainEpoch(training, epoch: epoch) }
        let evaluation = try Evaluation.evaluate(model, on: heldOut)
        #expect(evaluation.accuracy > 3 * Evaluation.chanceAccuracy, "held-out accuracy \(evaluation.accuracy)")
        #expect(evaluation.macroF1 > 0.25, "held-out macro-F1 \(evaluation.macroF1)")
    }

    @Test("an MLP trained with DP-SGD (σ = 1, C = 1, Poisson sampling) still beats chance clearly")
    func withPrivacy() throws {
        let (training, heldOut) = try Self.data(users: 60, seed: 7)
        let model = try SequentialModel(spec: .mlp(), seed: 2)
        let trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                batchSize: 256, optimizer: .sgd(learningRate: 0.1, momentum: 0.9),
                privacy: DPSGDConfiguration(clipNorm: 1, noiseMultiplier: 1, noise: .seededForTesting(3)), seed: 2))
        for epoch in 1...30 { _ = try trainer.trainEpoch(training, epoch: epoch) }
        let evaluation = try Evaluation.evaluate(model, on: heldOut)
        #expect(evaluation.accuracy > 2.5 * Evaluation.chanceAccuracy, "held-out accuracy \(evaluation.accuracy)")
        #expect(evaluation.macroF1 > 0.2, "held-out macro-F1 \(evaluation.macroF1)")
    }
}

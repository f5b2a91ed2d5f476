import Testing

@testable import EQMCore

@Suite("Models and labels")
struct ModelTests {
    @Test("the eleven labels in their fixed order, parsed case-insensitively, unknown ones refused with the list")
    func labels() throws {
        #expect(
            EmotionLabel.allCases.map(\.rawValue) == [
                "neutral", "happy", "sad", "angry", "fear", "surprise", "disgust",
                "stress", "anxiety", "relaxation", "concentration",
            ])
        #expect(try EmotionLabel.parse(" Stress ") == .stress)
        do {
            _ = try EmotionLabel.parse("bored")
            Issue.record("unknown label accepted")
        } catch {
            #expect(error.message.contains("concentration"))
        }
    }

    @Test("reference architectures have the documented sizes")
    func referenceSizes() throws {
        #expect(try SequentialModel(spec: .mlp()).parameterCount == 48 * 64 + 64 + 64 * 64 + 64 + 64 * 11 + 11)
        #expect(try SequentialModel(spec: .cnn()).parameterCount == (7 * 6 * 16 + 16) + (5 * 16 * 32 + 32) + (32 * 11 + 11))
        #expect(try SequentialModel(spec: .gru()).parameterCount == (6 + 32) * 96 + 2 * 96 + 32 * 11 + 11)
    }

    @Test("a prediction is a probability distribution whose top label carries the confidence", arguments: ["mlp", "cnn", "gru"])
    func prediction(name: String) throws {
        let model = try SequentialModel(spec: ModelSpec.named(name), seed: 2)
        let prediction = try model.predict((0..<model.inputCount).map { Float($0 % 5) })
        #expect(prediction.probabilities.count == 11)
        #expect(abs(prediction.probabilities.reduce(0, +) - 1) < 1e-5)
        #expect(prediction.probabilities.allSatisfy { $0 >= 0 })
        #expect(prediction.confidence == prediction.probabilities.max())
        #expect(prediction.probability(of: prediction.label) == prediction.confidence)
    }

    @Test("flat parameter vectors round-trip and reject the wrong length")
    func parameterVector() throws {
        let model = try SequentialModel(spec: .gru(), seed: 1)
        var vector = model.parameterVector()
        vector[0] += 1
        try model.setParameterVector(vector)
        #expect(model.parameterVector() == vector)
        #expect(throws: EQMCoreError.self) { try model.setParameterVector(Array(vector.dropLast())) }
        #expect(throws: EQMCoreError.self) { try model.setParameterVector([Float.nan] + vector.dropFirst()) }
    }

    @Test("same seed, same model; the parameter order is stable across builds of a spec")
    func determinism() throws {
        #expect(try SequentialModel(spec: .cnn(), seed: 5).parameters == SequentialModel(spec: .cnn(), seed: 5).parameters)
        #expect(try SequentialModel(spec: .cnn(), seed: 5).parameters != SequentialModel(spec: .cnn(), seed: 6).parameters)
    }

    @Test("wrong shapes and bad architectures are errors that name what was expected")
    func shapeErrors() throws {
        let model = try SequentialModel(spec: .mlp())
        do {
            _ = try model.predict([1, 2, 3])
            Issue.record("short input accepted")
        } catch {
            #expect(error.message.contains("48"))
        }
        #expect(throws: EQMCoreError.self) { try model.logits(Tensor(zeros: [2, 47])) }
        #expect(throws: EQMCoreError.self) { try SequentialModel(spec: ModelSpec(inputShape: [4], layers: [.dense(outputs: 3)])) }
        #expect(throws: EQMCoreError.self) {
            try SequentialModel(
                spec: ModelSpec(inputShape: [4], layers: [.conv1D(outputChannels: 2, kernelSize: 2), .dense(outputs: 11)]))
        }
        #expect(throws: EQMCoreError.self) {
            try SequentialModel(spec: ModelSpec(inputShape: [4], layers: [.dense(outputs: 1 << 40)]))
        }
        #expect(throws: EQMCoreError.self) { try Tensor(shape: [2, 3], scalars: [1]) }
    }

    @Test(
        "training lowers the loss on a learnable problem, with SGD+momentum and with Adam",
        arguments: [OptimizerConfiguration.sgd(learningRate: 0.05, momentum: 0.9), .adam(learningRate: 0.01)])
    func learning(optimizer: OptimizerConfiguration) throws {
        // Label = index of the largest of the first 11 features.
        var generator = SeededGenerator(seed: 1)
        let count = 512
        let inputs = (0..<(count * 48)).map { _ in Float(generator.nextGaussian()) }
        let labels = (0..<count).map { row in (0..<11).max { inputs[row * 48 + $0] < inputs[row * 48 + $1] }! }
        let data = try LabelledExamples(exampleShape: [48], inputs: inputs, labels: labels)
        let model = try SequentialModel(spec: .mlp(), seed: 1)
        let trainer = try Trainer(model: model, configuration: TrainingConfiguration(batchSize: 32, optimizer: optimizer))
        let before = try Evaluation.evaluate(model, on: data)
        for epoch in 1...15 { _ = try trainer.trainEpoch(data, epoch: epoch) }
        let after = try Evaluation.evaluate(model, on: data)
        #expect(after.loss < before.loss * 0.6)
        #expect(after.accuracy > 0.6)
    }

    @Test("macro-F1 and accuracy from a confusion matrix")
    func metrics() {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 11), count: 11)
        confusion[0][0] = 3; confusion[0][1] = 1; confusion[1][1] = 2; confusion[2][0] = 2
        let evaluation = Evaluation(confusion: confusion, loss: 0)
        #expect(evaluation.accuracy == 5.0 / 8.0)
        // F1: label 0 = 2·3/(4+5) = 0.667, label 1 = 2·2/(2+3) = 0.8, label 2 = 0 → mean 0.4889.
        #expect(abs(evaluation.macroF1 - (6.0 / 9.0 + 0.8) / 3) < 1e-9)
    }
}

import EQMTestSupport
import Testing

@testable import EQMCore

@Suite("DP-SGD")
struct DPSGDTests {
    private func trainer(_ spec: ModelSpec, clip: Float, sigma: Float, noise: NoiseSource, seed: UInt64 = 1) throws -> Trainer {
        let model = try SequentialModel(spec: spec, seed: seed)
        return try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                batchSize: 8, optimizer: .sgd(learningRate: 0.1),
                privacy: DPSGDConfiguration(clipNorm: clip, noiseMultiplier: sigma, noise: noise), seed: seed))
    }

    @Test(
        "every clipped per-example gradient has norm ≤ C, and the sum is the sum of the clipped gradients",
        arguments: [CheckedArchitecture.denseReLU, .convolutional, .recurrent])
    func clipping(architecture: CheckedArchitecture) throws {
        let clip: Float = 0.05  // small enough that most examples are clipped
        let trainer = try trainer(architecture.spec, clip: clip, sigma: 0, noise: .seededForTesting(1))
        let model = trainer.model
        let (input, labels) = GradientCheck.randomBatch(for: model, batch: 6, seed: 4)
        let perExample = GradientCheck.perExampleGradients(model, input, labels)

        _ = trainer.privateGradient(input, labels: labels, privacy: trainer.configuration.privacy!)
        let weights = Array(trainer.lastClipWeights.prefix(6))
        var expectedSum = [Float](repeating: 0, count: model.parameterCount)
        var clippedCount = 0
        for (w, g) in zip(weights, perExample) {
            let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(w * norm <= clip * 1.0001, "clipped norm \(w * norm) exceeds C = \(clip)")
            if w < 1 { clippedCount += 1 }
            for i in expectedSum.indices { expectedSum[i] += w * g[i] }
        }
        #expect(clippedCount > 0, "the test should exercise clipping")
        let worst = zip(model.gradients, expectedSum).map { abs($0 - $1) }.max() ?? 0
        #expect(worst < 1e-5)
    }

    @Test("the added noise has standard deviation σ·C", arguments: [NoiseSource.seededForTesting(42), .secure])
    func noiseStandardDeviation(source: NoiseSource) throws {
        let sigma: Float = 1.3, clip: Float = 0.7
        let trainer = try trainer(.mlp(), clip: clip, sigma: sigma, noise: source)
        let empty = try Tensor(shape: [0, 48], scalars: [])
        // An empty Poisson batch leaves pure noise in the gradient buffer.
        _ = trainer.privateGradient(empty, labels: [], privacy: trainer.configuration.privacy!)
        let noise = trainer.model.gradients.map(Double.init)
        let n = Double(noise.count)
        let mean = noise.reduce(0, +) / n
        let std = (noise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        let expected = Double(sigma * clip)
        // n = 8011: the sample std's own std is ≈ expected/√(2n) ≈ 0.8%; allow 5% (≈ 6 standard errors).
        #expect(abs(std - expected) / expected < 0.05, "std \(std), expected \(expected)")
        #expect(abs(mean) < 5 * expected / n.squareRoot(), "mean \(mean)")
        // Tails: about 4.55% of a Gaussian lies beyond 2σ.
        let beyond = Double(noise.filter { abs($0) > 2 * expected }.count) / n
        #expect(abs(beyond - 0.0455) < 0.012, "fraction beyond 2σ: \(beyond)")
    }

    @Test("normal mode draws noise from libsodium, never from the seeded generator")
    func secureByDefault() throws {
        #expect(DPSGDConfiguration(clipNorm: 1, noiseMultiplier: 1).noise == .secure)
        let secure = try trainer(.mlp(), clip: 1, sigma: 1, noise: .secure)
        #expect(secure.noiseIsCryptographicallySecure == true)
        #expect(NoiseGenerator(.secure).isCryptographicallySecure)
        #expect(!NoiseGenerator(.seededForTesting(1)).isCryptographicallySecure)

        // Behaviourally: identical seeds and data give identical models with the seeded test
        // source, but different models with the secure source.
        func trainedParameters(_ source: NoiseSource) throws -> [Float] {
            let t = try trainer(.mlp(), clip: 1, sigma: 1, noise: source, seed: 9)
            let (input, labels) = GradientCheck.randomBatch(for: t.model, batch: 8, seed: 1)
            try t.step(input, labels: labels)
            return t.model.parameters
        }
        #expect(try trainedParameters(.seededForTesting(5)) == trainedParameters(.seededForTesting(5)))
        #expect(try trainedParameters(.secure) != trainedParameters(.secure))
    }

    @Test("Poisson sampling gives variable batch sizes around the expected size")
    func poissonSampling() throws {
        let model = try SequentialModel(spec: .mlp(), seed: 1)
        let trainer = try Trainer(
            model: model,
            configuration: TrainingConfiguration(
                batchSize: 16, optimizer: .sgd(learningRate: 0.01),
                privacy: DPSGDConfiguration(clipNorm: 1, noiseMultiplier: 1, noise: .seededForTesting(3))))
        var generator = SeededGenerator(seed: 2)
        let count = 640
        let data = try LabelledExamples(
            exampleShape: [48], inputs: (0..<(count * 48)).map { _ in Float(generator.nextGaussian()) },
            labels: (0..<count).map { $0 % 11 })
        let report = try trainer.trainEpoch(data)
        #expect(report.steps == count / 16)
        // Expected total = steps × 16 = 640; binomial std ≈ √(640) ≈ 25.
        #expect(abs(report.examples - 640) < 130, "examples seen \(report.examples)")
        #expect(report.examples != 640 || report.steps == 0)
    }

    @Test("invalid DP settings are refused with a message naming the value")
    func invalidConfiguration() throws {
        let model = try SequentialModel(spec: .mlp())
        #expect(throws: EQMCoreError.self) {
            try Trainer(
                model: model,
                configuration: TrainingConfiguration(
                    batchSize: 8, optimizer: .sgd(learningRate: 0.1), privacy: DPSGDConfiguration(clipNorm: 0, noiseMultiplier: 1)
                ))
        }
        do {
            _ = try Trainer(
                model: model,
                configuration: TrainingConfiguration(
                    batchSize: 8, optimizer: .sgd(learningRate: 0.1),
                    privacy: DPSGDConfiguration(clipNorm: 1, noiseMultiplier: -1)))
            Issue.record("negative noise multiplier accepted")
        } catch {
            #expect(error.message.contains("-1"))
        }
    }
}

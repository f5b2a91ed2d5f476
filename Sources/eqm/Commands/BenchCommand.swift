import ArgumentParser
import EQMCore
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Reproducible benchmarks with their reference configurations (see README, Performance).",
        subcommands: [
            BenchTrainCommand.self, BenchInferCommand.self, BenchFeaturesCommand.self, BenchImportCommand.self,
            BenchAccountantCommand.self, BenchSecAggCommand.self, BenchCoordinatorCommand.self, BenchServeCommand.self,
        ]
    )
}

enum BenchModel: String, ExpressibleByArgument, CaseIterable {
    case mlp, cnn, gru

    var spec: ModelSpec {
        switch self {
        case .mlp: .mlp()
        case .cnn: .cnn()
        case .gru: .gru()
        }
    }

    /// The reference batch sizes of issue #2.
    var referenceBatch: Int { self == .mlp ? 64 : 32 }
}

enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput (samples/s) of a reference model, with or without DP-SGD.",
        discussion: """
            Reference configurations: mlp 48→64→64→11 ReLU, batch 64; cnn 6×256, Conv1D(6→16,k7)+ReLU+MaxPool2, \
            Conv1D(16→32,k5)+ReLU+MaxPool2, GAP, Dense(32→11), batch 32; gru 6×64, hidden 32, Dense(32→11), batch 32. \
            SGD lr 0.05; DP: σ = 1.0, C = 1.0, noise from libsodium. One thread. Build with -c release.
            """
    )

    @Option(help: "The reference model: mlp, cnn or gru.") var model: BenchModel = .mlp
    @Option(help: "DP-SGD on or off.") var dp: Switch = .on
    @Option(help: "Override the reference batch size.") var batch: Int?
    @Option(help: "Seconds to measure (after warm-up).") var seconds: Double = 3
    @Option(help: "Repetitions; the median is reported.") var repeats: Int = 5
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var model: String, dp: Bool, batch: Int, samples_per_second: Double, threads: Int
        var steps_per_second: Double, parameters: Int, noise_multiplier: Double?, clip_norm: Double?
        var optimizer: String, repeats: Int, samples_per_second_runs: [Double]
    }

    func validate() throws {
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be in (0, 600]") }
        guard (1...50).contains(repeats) else { throw ValidationError("--repeats must be in 1...50") }
        if let batch, !(1...4096).contains(batch) { throw ValidationError("--batch must be in 1...4096") }
    }

    func run() throws {
        let batchSize = batch ?? model.referenceBatch
        let spec = model.spec
        let network = try SequentialModel(spec: spec, seed: 1)
        let privacy = dp == .on ? DPSGDConfiguration(clipNorm: 1, noiseMultiplier: 1) : nil
        let trainer = try Trainer(
            model: network,
            configuration: TrainingConfiguration(
                batchSize: batchSize, optimizer: .sgd(learningRate: 0.05), privacy: privacy, seed: 1))
        // Random inputs and labels: throughput does not depend on the values.
        var generator = SeededGenerator(seed: 7)
        let width = spec.inputShape.reduce(1, *)
        let batches = (0..<8).map { _ in
            (
                Tensor(uncheckedRandom: [batchSize] + spec.inputShape, count: batchSize * width, using: &generator),
                (0..<batchSize).map { _ in Int(generator.next() % UInt64(EmotionLabel.count)) }
            )
        }
        let clock = ContinuousClock()
        // Warm-up.
        for index in 0..<20 { try trainer.step(batches[index % batches.count].0, labels: batches[index % batches.count].1) }
        var rates = [Double]()
        for run in 0..<repeats {
            Terminal.progress("bench train \(model.rawValue) dp \(dp.rawValue): run \(run + 1)/\(repeats)")
            var steps = 0
            let start = clock.now
            let budget = Duration.milliseconds(Int64(seconds * 1000 / Double(repeats)))
            while clock.now - start < budget {
                for _ in 0..<8 {
                    let (input, labels) = batches[steps % batches.count]
                    try trainer.step(input, labels: labels)
                    steps += 1
                }
            }
            let elapsed = (clock.now - start).seconds
            rates.append(Double(steps * batchSize) / elapsed)
        }
        Terminal.endProgress()
        let median = rates.sorted()[rates.count / 2]
        let result = Result(
            model: model.rawValue, dp: dp == .on, batch: batchSize, samples_per_second: median.rounded(),
            threads: 1, steps_per_second: (median / Double(batchSize)).rounded(),
            parameters: network.parameterCount, noise_multiplier: privacy.map { Double($0.noiseMultiplier) },
            clip_norm: privacy.map { Double($0.clipNorm) }, optimizer: "sgd lr 0.05",
            repeats: repeats, samples_per_second_runs: rates.map { $0.rounded() })
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                "\(model.rawValue) dp=\(dp.rawValue) batch=\(batchSize): \(Int(median)) samples/s (median of \(repeats), 1 thread, \(network.parameterCount) parameters)"
            )
        }
    }
}

struct BenchInferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Single-window inference latency (p50/p99, microseconds) of a reference model.",
        discussion:
            "Times `SequentialModel.predict` on one window (probabilities and confidence included). Build with -c release."
    )

    @Option(help: "The reference model: mlp, cnn or gru.") var model: BenchModel = .mlp
    @Option(help: "Timed predictions (after warm-up).") var iterations: Int = 20_000
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var model: String, p50_microseconds: Double, p99_microseconds: Double, mean_microseconds: Double
        var iterations: Int, threads: Int
    }

    func validate() throws {
        guard (100...10_000_000).contains(iterations) else { throw ValidationError("--iterations must be in 100...10000000") }
    }

    func run() throws {
        let network = try SequentialModel(spec: model.spec, seed: 1)
        var generator = SeededGenerator(seed: 3)
        let windows = (0..<16).map { _ in (0..<network.inputCount).map { _ in Float(generator.nextGaussian()) } }
        var sink: Float = 0
        for index in 0..<1000 { sink += try network.predict(windows[index % windows.count]).confidence }
        let clock = ContinuousClock()
        var samples = [Double]()
        samples.reserveCapacity(iterations)
        for index in 0..<iterations {
            let window = windows[index % windows.count]
            let start = clock.now
            let prediction = try network.predict(window)
            let elapsed = clock.now - start
            sink += prediction.confidence
            samples.append(elapsed.seconds * 1e6)
        }
        precondition(sink.isFinite)
        samples.sort()
        let result = Result(
            model: model.rawValue, p50_microseconds: round2(samples[samples.count / 2]),
            p99_microseconds: round2(samples[Int(Double(samples.count) * 0.99)]),
            mean_microseconds: round2(samples.reduce(0, +) / Double(samples.count)),
            iterations: iterations, threads: 1)
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                "\(model.rawValue): p50 \(result.p50_microseconds) µs, p99 \(result.p99_microseconds) µs over \(iterations) single-window predictions"
            )
        }
    }

    private func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

extension Tensor {
    /// Standard-normal random contents, for benchmarks.
    init(uncheckedRandom shape: [Int], count: Int, using generator: inout SeededGenerator) {
        try! self.init(shape: shape, scalars: (0..<count).map { _ in Float(generator.nextGaussian()) })
    }
}

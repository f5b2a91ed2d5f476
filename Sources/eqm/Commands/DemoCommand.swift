import ArgumentParser
import EQMCore
import Foundation

/// `make demo`: until the federation exists (issues #4–#7), train one model centrally on a
/// synthetic cohort, with example-level DP-SGD, and report metrics on users it never saw.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The federation end to end on a synthetic cohort: coordinator, nodes, SecAgg+ rounds with distributed DP.",
        discussion: """
            Starts a coordinator on 127.0.0.1 with its embedded SQLite store (or --database), enrolls --nodes nodes \
            (one synthetic user's recordings each, never sent), records their consent, and runs --rounds SecAgg+ rounds \
            with distributed DP (--noise-multiplier, --clip-norm) and FedAvg, with --dropouts nodes leaving once after \
            sharing keys. Each round's table line gives the selected, surviving and dropped nodes, accuracy and \
            macro-F1 on --held-out-users users who never train, and the user-level ε spent. It ends with the final \
            signed model and its card, and verifies the DP ledger and the audit trail. \
            --central trains one model centrally with example-level DP-SGD instead (--users, --epochs, --batch, …).
            """
    )

    @Option(help: "Synthetic users in the cohort.") var users = 100
    @Option(help: "Minutes of recording per user.") var minutes = 30.0
    @Option(help: "Fraction of users held out for evaluation (never trained on).") var heldOut = 0.25
    @Option(help: "Model: mlp (48 features), cnn (6×256) or gru (6×64).") var model: BenchModel = .mlp
    @Option(help: "Training epochs.") var epochs = 30
    @Option(help: "Batch size (expected size under Poisson sampling).") var batch = 256
    @Option(help: "Learning rate (central: SGD with momentum 0.9; federated: the nodes' local SGD).") var learningRate: Float =
        0.1
    @Option(help: "Example-level DP-SGD on or off.") var dp: Switch = .on
    @Option(help: "DP noise multiplier σ.") var noiseMultiplier: Float = 1.0
    @Option(help: "DP per-example clip norm C.") var clipNorm: Float = 1.0
    @Option(help: "Seed of the cohort, the split, the initial weights and the shuffles (never of DP noise).") var seed: UInt64 =
        42
    @Option(help: "Where to write the trained model.") var out = "eqm-data/demo.eqmmodel"
    @Flag(help: "Print one JSON object with the results instead of tables.") var json = false
    @Flag(help: "Train one model centrally with example-level DP-SGD instead of the federation.")
    var central = false
    @Option(help: "Federated: the coordinator's data folder (recreated).") var dataDir = "eqm-data/federated-demo"
    @Option(help: "Federated: nodes (one synthetic user each).") var nodes = 20
    @Option(help: "Federated: rounds.") var rounds = 10
    @Option(help: "Federated: users held out for evaluation.") var heldOutUsers = 6
    @Option(help: "Federated: nodes that drop out once, after sharing keys.") var dropouts = 2
    @Option(help: "Federated: postgres://… instead of the embedded SQLite store.") var database: String?

    func validate() throws {
        guard (3...200).contains(nodes) else { throw ValidationError("--nodes must be in 3...200") }
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds must be in 1...1000") }
        guard (1...200).contains(heldOutUsers) else { throw ValidationError("--held-out-users must be in 1...200") }
        guard (0...nodes / 3).contains(dropouts) else { throw ValidationError("--dropouts must be in 0...nodes/3") }
        guard (4...5000).contains(users) else { throw ValidationError("--users must be in 4...5000") }
        guard minutes >= 5 && minutes <= 24 * 60 else { throw ValidationError("--minutes must be in 5...1440") }
        guard heldOut > 0 && heldOut < 1 else { throw ValidationError("--held-out must be in (0, 1)") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be in 1...1000") }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be in 1...4096") }
        guard learningRate > 0 && learningRate < 10 else { throw ValidationError("--learning-rate must be in (0, 10)") }
        guard noiseMultiplier >= 0 && clipNorm > 0 else {
            throw ValidationError("--noise-multiplier must be ≥ 0 and --clip-norm > 0")
        }
    }

    struct EpochLine: Encodable {
        var epoch: Int, loss: Double, held_out_accuracy: Double, held_out_macro_f1: Double, seconds: Double
    }

    struct Result: Encodable {
        var model: String, users: Int, training_users: Int, held_out_users: Int
        var training_windows: Int, held_out_windows: Int, parameters: Int
        var dp: Bool, noise_multiplier: Double?, clip_norm: Double?, sampling_rate: Double?, steps: Int
        var epochs: [EpochLine]
        var held_out_accuracy: Double, held_out_macro_f1: Double, chance_accuracy: Double
        var per_label: [String: [String: Double]]
        var model_path: String, seconds: Double
        var epsilon: Double?, delta: Double?
    }

    func run() async throws {
        if !central {
            try await FederatedDemo(
                nodes: nodes, heldOutUsers: heldOutUsers, rounds: rounds, minutes: minutes,
                noiseMultiplier: Double(noiseMultiplier),
                clipNorm: Double(clipNorm), localEpochs: 2, learningRate: Double(learningRate), dropouts: dropouts, seed: seed,
                database: database, dataDirectory: dataDir, json: json
            ).run()
            return
        }
        try runCentral()
    }

    func runCentral() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let say: (String) -> Void = { line in if !json { print(line) } }
        let spec = model.spec

        // 1. Cohort.
        let cohort = CohortConfiguration(users: users, minutesPerUser: minutes, seed: seed)
        try cohort.validate()
        var recordings = [UserRecording]()
        recordings.reserveCapacity(users)
        for index in 0..<users {
            Terminal.progress("generating synthetic cohort: user \(index + 1)/\(users)")
            recordings.append(try SyntheticCohort.recording(for: index, configuration: cohort))
        }
        Terminal.progress("cutting 64 s windows and computing model inputs…")
        let dataset = try WindowDataset.build(recordings: recordings, representation: WindowDataset.representation(for: spec))
        recordings.removeAll()
        let (trainingSet, heldOutSet) = try dataset.split(heldOutFraction: heldOut, seed: seed ^ 0x5EED)
        let training = try trainingSet.labelledExamples(), evaluation = try heldOutSet.labelledExamples()
        Terminal.endProgress()
        say("EQM demo — synthetic cohort of \(users) users × \(Int(minutes)) min, seed \(seed)")
        say(
            "  \(trainingSet.users.count) training users (\(training.count) windows), \(heldOutSet.users.count) held-out users (\(evaluation.count) windows, never trained on)"
        )

        // 2. Model and trainer.
        let network = try SequentialModel(spec: spec, seed: seed)
        let privacy = dp == .on ? DPSGDConfiguration(clipNorm: clipNorm, noiseMultiplier: noiseMultiplier) : nil
        let trainer = try Trainer(
            model: network,
            configuration: TrainingConfiguration(
                batchSize: batch, optimizer: .sgd(learningRate: learningRate, momentum: 0.9), privacy: privacy, seed: seed))
        let samplingRate = min(1, Double(batch) / Double(training.count))
        say(
            "  model \(model.rawValue): \(network.parameterCount) parameters; "
                + (privacy.map {
                    "DP-SGD σ = \($0.noiseMultiplier), C = \($0.clipNorm), Poisson sampling q = \(String(format: "%.4f", samplingRate)), noise from libsodium"
                } ?? "no DP"))
        say("")
        say("  epoch      loss   held-out acc   macro-F1    time")

        // 3. Training with per-epoch held-out metrics.
        var lines = [EpochLine]()
        for epoch in 1...epochs {
            let epochStart = clock.now
            let report = try trainer.trainEpoch(training, epoch: epoch) { step, of in
                Terminal.progress("  epoch \(epoch)/\(epochs): step \(step)/\(of)")
            }
            Terminal.endProgress()
            let metrics = try Evaluation.evaluate(network, on: evaluation)
            let line = EpochLine(
                epoch: epoch, loss: report.loss, held_out_accuracy: metrics.accuracy,
                held_out_macro_f1: metrics.macroF1, seconds: (clock.now - epochStart).seconds)
            lines.append(line)
            say(
                String(
                    format: "  %5d  %8.4f   %12.1f%%   %8.3f  %5.2fs", epoch, line.loss, 100 * line.held_out_accuracy,
                    line.held_out_macro_f1, line.seconds))
        }

        // 4. Final metrics per label.
        let final = try Evaluation.evaluate(network, on: evaluation)
        var perLabel = [String: [String: Double]]()
        say("")
        say(
            "  held-out users: accuracy \(percent(final.accuracy)), macro-F1 \(String(format: "%.3f", final.macroF1)) (chance \(percent(Evaluation.chanceAccuracy)))"
        )
        say("  label            windows   precision   recall")
        for label in EmotionLabel.allCases {
            let row = final.confusion[label.index]
            let actual = row.reduce(0, +)
            let predicted = final.confusion.reduce(0) { $0 + $1[label.index] }
            let correct = row[label.index]
            let precision = predicted > 0 ? Double(correct) / Double(predicted) : 0
            let recall = actual > 0 ? Double(correct) / Double(actual) : 0
            perLabel[label.rawValue] = ["windows": Double(actual), "precision": precision, "recall": recall]
            let name = label.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
            say("  \(name)  " + String(format: "%7d   %8.1f%%   %5.1f%%", actual, 100 * precision, 100 * recall))
        }

        // 5. Save the model.
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var metadata = [
            "trained_by": "eqm demo", "model": model.rawValue, "cohort_seed": String(seed), "users": String(users),
            "held_out_accuracy": String(format: "%.4f", final.accuracy),
            "held_out_macro_f1": String(format: "%.4f", final.macroF1), "epochs": String(epochs),
        ]
        if let privacy {
            metadata["dp"] =
                "example-level DP-SGD σ=\(privacy.noiseMultiplier) C=\(privacy.clipNorm) q=\(samplingRate) steps=\(trainer.steps)"
        }
        try Data(ModelFile.encode(network, metadata: metadata)).write(to: url, options: .atomic)
        let seconds = (clock.now - started).seconds
        say("")
        say(
            "  model written to \(out) (\(network.parameterCount) parameters, checksummed); \(String(format: "%.1f", seconds)) s in all"
        )
        var epsilon: Double? = nil
        if let privacy {
            let event = try PrivacyEvent([
                PoissonSubsampledGaussian(
                    samplingRate: samplingRate, noiseMultiplier: Double(privacy.noiseMultiplier),
                    steps: trainer.steps)
            ])
            epsilon = try RDPAccountant().guarantee(for: event, delta: 1e-5).epsilon
            say(
                "  privacy: example-level (one 64 s window) DP-SGD, \(trainer.steps) steps at q = \(String(format: "%.4f", samplingRate)), σ = \(privacy.noiseMultiplier): ε = \(String(format: "%.2f", epsilon!)) at δ = 1e-5 (RDP accountant)"
            )
        }

        if json {
            try Terminal.printJSON(
                Result(
                    model: model.rawValue, users: users, training_users: trainingSet.users.count,
                    held_out_users: heldOutSet.users.count,
                    training_windows: training.count, held_out_windows: evaluation.count, parameters: network.parameterCount,
                    dp: privacy != nil, noise_multiplier: privacy.map { Double($0.noiseMultiplier) },
                    clip_norm: privacy.map { Double($0.clipNorm) }, sampling_rate: privacy != nil ? samplingRate : nil,
                    steps: trainer.steps, epochs: lines, held_out_accuracy: final.accuracy, held_out_macro_f1: final.macroF1,
                    chance_accuracy: Evaluation.chanceAccuracy, per_label: perLabel, model_path: out, seconds: seconds,
                    epsilon: epsilon, delta: epsilon == nil ? nil : 1e-5))
        }
    }

    private func percent(_ value: Double) -> String { String(format: "%.1f%%", 100 * value) }
}

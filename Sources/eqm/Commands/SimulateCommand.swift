import ArgumentParser
import EQMClient
import EQMCompliance
import EQMCore
import EQMProtocols
import Foundation
import Synchronization

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Research simulator: thousands of in-process clients, the same training, encoding and SecAgg+ code, per-round accuracy and ε.",
        discussion: """
            Each client holds one synthetic user's recording. Every round samples clients with probability --sampling-rate \
            (Poisson, as the coordinator does), each selected client trains locally from the current model \
            (LocalTraining.update, as `eqm node run` does), its update is clipped, quantised and noised by the same \
            UpdateEncoding, and the updates are summed by a whole SecAgg+ round in process (SecAggSimulator: real keys, \
            shares, masks and sealed messages) or, with --secagg off, by adding the encoded vectors. The decoded mean goes \
            through the server optimiser (FedAvg). Accuracy and macro-F1 are on held-out users who never train; ε is the \
            campaign's, from the achieved σ with RDP at --delta (Poisson amplification at the sampling rate). \
            Throughput is client-rounds per second: selected clients × rounds over the rounds' wall time (data \
            generation excluded). There is no network: use `make demo` for the real coordinator and nodes over HTTP.
            """)

    @Option(help: "Clients (each one synthetic user).") var clients = 1000
    @Option(help: "Rounds.") var rounds = 10
    @Option(help: "Probability that a client takes part in a round.") var samplingRate = 0.1
    @Option(help: "Differential privacy: the noise multiplier σ, or off.") var dp = "1.0"
    @Option(help: "Secure aggregation: on (SecAgg+ round in process) or off (plain sum of the encoded updates).")
    var secagg: Switch = .on
    @Option(help: "L2 clip norm C of each update.") var clipNorm = 1.0
    @Option(help: "Local epochs per round.") var localEpochs = 2
    @Option(help: "Local SGD learning rate.") var learningRate = 0.05
    @Option(help: "Server learning rate (FedAvg).") var serverLearningRate = 1.0
    @Option(help: "Minutes of recording per client.") var minutes = 6.0
    @Option(help: "Held-out users for evaluation (never train).") var heldOutUsers = 40
    @Option(help: "δ of the ε reported.") var delta = 1e-5
    @Option(help: "Threads for data generation, local training and SecAgg+.") var threads = 2
    @Option(help: "Seed of the synthetic data and of the sampling (not of any key or noise).") var seed: UInt64 = 1
    @Flag(help: "Print one JSON object.") var json = false

    var noiseMultiplier: Double? { dp == "off" ? nil : Double(dp) }

    func validate() throws {
        guard (3...100_000).contains(clients), (1...10_000).contains(rounds) else {
            throw ValidationError("--clients must be in 3...100000 and --rounds in 1...10000")
        }
        guard samplingRate > 0 && samplingRate <= 1 else { throw ValidationError("--sampling-rate must be in (0, 1]") }
        guard dp == "off" || (noiseMultiplier.map { $0 > 0 && $0 < 1000 } ?? false) else {
            throw ValidationError("--dp must be a positive noise multiplier σ, or off")
        }
        guard clipNorm > 0, minutes >= 2 && minutes <= 600, (1...10_000).contains(heldOutUsers), (1...64).contains(threads) else {
            throw ValidationError("--clip-norm > 0, --minutes in 2...600, --held-out-users in 1...10000, --threads in 1...64")
        }
    }

    struct RoundLine: Encodable {
        var round: Int, selected: Int, survivors: Int, accuracy: Double, macro_f1: Double, epsilon: Double?
        var achieved_noise_multiplier: Double, seconds: Double
    }

    struct Output: Encodable {
        var clients: Int, rounds: Int, sampling_rate: Double, dp: String, secagg: String, model_parameters: Int
        var held_out_users: Int, held_out_windows: Int, client_windows: Int
        var lines: [RoundLine]
        var client_rounds: Int, round_seconds: Double, client_rounds_per_second: Double
        var data_seconds: Double, threads: Int
    }

    func run() throws {
        let clock = ContinuousClock()
        let dataStart = clock.now
        let spec = ModelSpec.mlp()
        let representation = try WindowDataset.representation(for: spec)
        let cohort = CohortConfiguration(users: clients + heldOutUsers, minutesPerUser: minutes, seed: seed)
        try cohort.validate()

        // 1. Data: one synthetic user per client, and held-out users nobody trains on.
        let users = clients + heldOutUsers
        let built = Mutex<[Int: LabelledExamples]>([:])
        let done = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: users, by: threads) {
                do {
                    let recording = try SyntheticCohort.recording(for: index, configuration: cohort)
                    let dataset = try WindowDataset.build(recordings: [recording], representation: representation)
                    let examples = try dataset.labelledExamples()
                    built.withLock { $0[index] = examples }
                } catch {
                    failure.withLock { $0 = error }
                }
                let finished = done.add(1, ordering: .relaxed).newValue
                if finished % 50 == 0 || finished == users {
                    Terminal.progress("simulate: synthetic users \(finished)/\(users)")
                }
            }
        }
        Terminal.endProgress()
        if let error = failure.withLock({ $0 }) { throw CommandFailure("cannot build the synthetic cohort: \(error)") }
        let data = built.withLock { $0 }
        let clientData = (0..<clients).map { data[$0]! }
        let heldOut = try Self.concatenate((clients..<users).map { data[$0]! })
        let dataSeconds = (clock.now - dataStart).seconds

        // 2. Rounds.
        let model = try SequentialModel(spec: spec, seed: seed)
        var parameters = model.parameterVector()
        var optimizer = try ServerOptimizer(
            configuration: .fedAvg(learningRate: serverLearningRate), dimension: parameters.count)
        var sampler = SeededGenerator(seed: seed ^ 0x5151)
        var mechanisms: [MechanismDescription] = []
        var lines: [RoundLine] = []
        var clientRounds = 0
        var roundSeconds = 0.0
        if !json {
            print(
                "eqm simulate: \(clients) clients, \(heldOutUsers) held-out users, q = \(samplingRate), DP \(noiseMultiplier.map { "σ = \($0)" } ?? "off"), SecAgg+ \(secagg.rawValue), MLP \(parameters.count) parameters"
            )
            print("  round  selected  survivors   held-out acc   macro-F1        ε   σ achieved   seconds")
        }
        for round in 1...rounds {
            let roundStart = clock.now
            let selected = (0..<clients).filter { _ in Double(sampler.next() >> 11) * 0x1p-53 < samplingRate }
            guard selected.count >= 3 else {
                if !json { print(String(format: "  %5d  %8d  too few selected: round skipped", round, selected.count)) }
                continue
            }
            let base = parameters
            let updates = try Self.train(
                selected.map { clientData[$0] }, spec: spec, base: base, epochs: localEpochs, learningRate: learningRate,
                seed: seed &+ UInt64(round), threads: threads)
            let (sum, survivors, achieved) = try aggregate(updates, dimension: base.count, round: round)
            let mean = sum.map { Float($0 / Double(survivors)) }
            try optimizer.apply(delta: mean, to: &parameters)
            try model.setParameterVector(parameters)
            clientRounds += selected.count
            let seconds = (clock.now - roundStart).seconds
            roundSeconds += seconds

            let evaluation = try Evaluation.evaluate(model, on: heldOut)
            var epsilon: Double?
            if noiseMultiplier != nil {
                mechanisms.append(
                    MechanismDescription(
                        samplingRate: samplingRate, noiseMultiplier: achieved, clipNorm: clipNorm,
                        secureAggregation: secagg == .on, mode: "distributed"))
                epsilon = try LedgerAccountants.rdp.epsilon(mechanisms, delta)
            }
            let line = RoundLine(
                round: round, selected: selected.count, survivors: survivors, accuracy: evaluation.accuracy,
                macro_f1: evaluation.macroF1, epsilon: epsilon, achieved_noise_multiplier: achieved, seconds: seconds)
            lines.append(line)
            if !json {
                print(
                    String(
                        format: "  %5d  %8d  %9d   %11.1f%%   %8.3f  %@   %10.3f   %7.2f", round, line.selected, survivors,
                        100 * line.accuracy, line.macro_f1, epsilon.map { String(format: "%7.2f", $0) } ?? "   none", achieved,
                        seconds))
            }
        }
        let throughput = roundSeconds > 0 ? Double(clientRounds) / roundSeconds : 0
        let output = Output(
            clients: clients, rounds: rounds, sampling_rate: samplingRate, dp: dp, secagg: secagg.rawValue,
            model_parameters: parameters.count, held_out_users: heldOutUsers, held_out_windows: heldOut.count,
            client_windows: clientData.map(\.count).reduce(0, +), lines: lines, client_rounds: clientRounds,
            round_seconds: (roundSeconds * 100).rounded() / 100, client_rounds_per_second: (throughput * 10).rounded() / 10,
            data_seconds: (dataSeconds * 10).rounded() / 10, threads: threads)
        if json {
            try Terminal.printJSON(output)
        } else {
            print(
                String(
                    format: "  %d client-rounds in %.1f s of rounds: %.1f client-rounds/s (data generation %.1f s, not counted)",
                    clientRounds, roundSeconds, throughput, dataSeconds))
        }
    }

    /// Local training of every selected client, spread over `threads`.
    static func train(
        _ data: [LabelledExamples], spec: ModelSpec, base: [Float], epochs: Int, learningRate: Double, seed: UInt64,
        threads: Int
    ) throws -> [[Float]] {
        let results = Mutex<[Int: [Float]]>([:])
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: data.count, by: threads) {
                do {
                    let update = try LocalTraining.update(
                        spec: spec, base: base, data: data[index], epochs: epochs, batch: 32, learningRate: learningRate,
                        seed: seed &+ UInt64(index))
                    results.withLock { $0[index] = update }
                } catch {
                    failure.withLock { $0 = error }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw CommandFailure("local training failed: \(error)") }
        let all = results.withLock { $0 }
        return data.indices.map { all[$0]! }
    }

    /// The decoded sum of the encoded updates, the survivors, and the σ achieved.
    private func aggregate(_ updates: [[Float]], dimension: Int, round: Int) throws -> ([Double], Int, Double) {
        let n = updates.count
        let chosen = SecAggParameters.forRound(participants: n)
        let floor = chosen.minimumSurvivors
        let encoding = try UpdateEncoding.calibrated(
            dimension: dimension, clipNorm: clipNorm, maximumContributors: n,
            privacy: noiseMultiplier == nil ? .none : .distributed, noiseMultiplier: noiseMultiplier ?? 0,
            survivorFloor: floor)
        switch secagg {
        case .on:
            var simulator = try SecAggSimulator.makeRound(
                participants: n, dimension: dimension, neighbors: chosen.neighbors, threshold: chosen.threshold,
                minimumSurvivors: floor, encoding: encoding, roundID: UInt64(round))
            simulator.concurrency = threads
            simulator.serverConcurrency = threads
            let report = try simulator.run { index in try encoding.encode(updates[index]) }
            return (
                try encoding.decode(sum: report.result.sum), report.result.survivors.count,
                report.result.privacy.achievedNoiseMultiplier
            )
        case .off:
            var sum = [UInt32](repeating: 0, count: dimension)
            for update in updates {
                let encoded = try encoding.encode(update)
                for index in 0..<dimension { sum[index] &+= encoded[index] }
            }
            let achieved = (Double(n) * Double(encoding.nodeNoiseVariance)).squareRoot() / encoding.sensitivity
            return (try encoding.decode(sum: sum), n, achieved)
        }
    }

    static func concatenate(_ parts: [LabelledExamples]) throws -> LabelledExamples {
        try LabelledExamples(
            exampleShape: parts[0].exampleShape, inputs: parts.flatMap(\.inputs), labels: parts.flatMap(\.labels))
    }
}

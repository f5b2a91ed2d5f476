import ArgumentParser
import EQMAPI
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation

struct NodeSynthesizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Fill the store with one synthetic user's recording and labels (demos and tests; no real data).",
        discussion:
            "Writes the user's pulse, skin conductance, skin temperature, acceleration and SpO2 series and its labelled episodes, timed from --start.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The synthetic user's index in the cohort.") var user = 0
    @Option(help: "Minutes of recording.") var minutes = 30.0
    @Option(help: "The cohort's seed.") var seed: UInt64 = 1
    @Option(help: "Start time, Unix seconds (default: now minus the recording's length).") var start: Double?
    @Option(help: "Write the recording as generic JSON lines to this file instead of the store (for predict and serve).")
    var jsonl: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard (0...100_000).contains(user) else { throw ValidationError("--user must be in 0...100000") }
        guard minutes >= 2 && minutes <= 24 * 60 else { throw ValidationError("--minutes must be in 2...1440") }
    }

    func run() throws {
        if let jsonl {
            let origin = start ?? (Date().timeIntervalSince1970 - minutes * 60).rounded(.down)
            let stream = try SyntheticStream(user: user, minutes: minutes, seed: seed, origin: origin)
            guard FileManager.default.createFile(atPath: jsonl, contents: nil) else { throw CommandFailure("cannot create \(jsonl)") }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: jsonl))
            defer { try? handle.close() }
            for second in 0..<Int(minutes * 60) {
                try handle.write(contentsOf: Data((stream.records(second: second).joined(separator: "\n") + "\n").utf8))
            }
            if !json { print("wrote \(Int(minutes * 60) * 64) records of synthetic user \(user) to \(jsonl)") }
            return
        }
        let store = try storeOptions.open(create: true)
        let cohort = CohortConfiguration(users: user + 1, minutesPerUser: minutes, seed: seed)
        let origin = start ?? (Date().timeIntervalSince1970 - minutes * 60).rounded(.down)
        let written: Int
        do { written = try NodeData.importSynthetic(user: user, cohort: cohort, origin: origin, into: store) } catch {
            throw CommandFailure("cannot write the synthetic recording: \(error)")
        }
        let labels = (try? store.labels().count) ?? 0
        struct Output: Encodable { var user: Int, minutes: Double, samples: Int, labels: Int }
        if json {
            try Terminal.printJSON(Output(user: user, minutes: minutes, samples: written, labels: labels))
        } else {
            print("wrote synthetic user \(user): \(written) samples over \(minutes) min and \(labels) labels to \(storeOptions.store)")
        }
    }
}

/// `--model mlp|cnn|gru`.
extension BenchModel {
    static let help = "Architecture: mlp (48 summary features), cnn (4 Hz sequence) or gru (1 Hz sequence)."
}

struct NodeTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on this node's own labelled data only (no coordinator); the model stays in the store.",
        discussion: """
            Starts from the model version the node holds when it matches --model (else from scratch), trains with SGD on every \
            labelled 64 s window, and keeps the result in the store as the node's local model (`eqm node predict --local`). \
            --out also writes it as a model file.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp(BenchModel.help)) var model: BenchModel = .mlp
    @Option(help: "Passes over the data.") var epochs = 5
    @Option(help: "Batch size.") var batch = 32
    @Option(help: "SGD learning rate.") var learningRate = 0.05
    @Option(help: "Seed of the initial weights and batch order.") var seed: UInt64 = 1
    @Option(help: "Also write the trained model to this file.") var out: String?
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard (1...1000).contains(epochs), (1...4096).contains(batch), learningRate > 0 && learningRate < 10 else {
            throw ValidationError("--epochs 1...1000, --batch 1...4096 and --learning-rate in (0, 10)")
        }
    }

    func run() throws {
        let store = try storeOptions.open(create: false)
        let spec = model.spec
        let network: SequentialModel
        let data: LabelledExamples
        var startedFrom = "random initialisation"
        do {
            data = try NodeData.examples(in: store, spec: spec)
            network = try SequentialModel(spec: spec, seed: seed)
            if let enrollment = try store.enrollment(),
                let held = try store.currentModel(trusting: try PublicKey(hex: enrollment.coordinatorKey)),
                let decoded = try? ModelFile.decode(held.model).model, decoded.spec == spec
            {
                try network.setParameterVector(decoded.parameterVector())
                startedFrom = held.card.id
            }
        } catch {
            throw CommandFailure("\(error)")
        }
        Terminal.note("training \(model.rawValue) on \(data.count) local windows from \(startedFrom)")
        let losses: [Double]
        do {
            losses = try LocalTraining.train(
                network, on: data, epochs: epochs, batch: batch, learningRate: learningRate, seed: seed
            ) { report in
                Terminal.progress("epoch \(report.epoch)/\(epochs): loss \(String(format: "%.4f", report.loss))")
            }
            Terminal.endProgress()
        } catch {
            throw CommandFailure("training failed: \(error)")
        }
        let evaluation = try Evaluation.evaluate(network, on: data)
        let file = ModelFile.encode(network, metadata: ["trained": "local", "from": startedFrom])
        do { try store.writeArtifact(name: NodeLocalModel.artifact, bytes: file) } catch {
            throw CommandFailure("cannot keep the model: \(error.message)")
        }
        if let out { try Data(file).write(to: URL(fileURLWithPath: out)) }
        struct Output: Encodable {
            var model: String, windows: Int, epochs: Int, losses: [Double], training_accuracy: Double, started_from: String
        }
        if json {
            try Terminal.printJSON(
                Output(
                    model: model.rawValue, windows: data.count, epochs: epochs, losses: losses,
                    training_accuracy: evaluation.accuracy, started_from: startedFrom))
        } else {
            print(
                "trained \(model.rawValue) on \(data.count) windows for \(epochs) epochs: loss \(String(format: "%.4f", losses.last ?? .nan)), accuracy on its own data \(String(format: "%.1f", 100 * evaluation.accuracy))% (not a generalisation estimate)"
            )
        }
    }
}

/// The model a node trained on its own (`eqm node train`).
enum NodeLocalModel {
    static let artifact = "node.local-model"
}

struct NodeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the node: follow its tasks, train locally and take part in SecAgg+ rounds, pull new model versions.",
        discussion: """
            Follows the coordinator's /v1/events stream and asks for its tasks whenever an event arrives (and every \
            --poll-seconds regardless); when selected it trains on the store's labelled windows from the verified base \
            model and sends only the masked, noised update. Survives coordinator outages (exponential backoff with jitter); a \
            node killed mid-round skips that round after a restart and takes part again from the next. SIGINT/SIGTERM stop it \
            between requests.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Seconds between task checks while idle (events from /v1/events wake the node sooner).") var pollSeconds = 5.0
    @Option(help: "Longest wait between attempts while the coordinator is unreachable, seconds.") var maxBackoffSeconds = 30.0
    @Option(help: "Stop after this many training rounds (default: run until stopped).") var rounds: Int?
    @Option(help: "Stop after this many seconds (default: run until stopped).") var duration: Double?
    @Flag(help: "Print events as JSON lines.") var json = false

    func validate() throws {
        guard pollSeconds >= 0.01 && pollSeconds <= 3600, maxBackoffSeconds >= 0.1 && maxBackoffSeconds <= 3600 else {
            throw ValidationError("--poll-seconds in 0.01...3600 and --max-backoff-seconds in 0.1...3600")
        }
    }

    func run() async throws {
        var configuration = NodeDaemon.Configuration()
        configuration.pollInterval = .milliseconds(Int64(pollSeconds * 1000))
        configuration.stagePollInterval = .milliseconds(Int64(min(pollSeconds, 0.1) * 1000))
        configuration.maximumBackoff = .milliseconds(Int64(maxBackoffSeconds * 1000))
        configuration.maximumRounds = rounds
        configuration.maximumDuration = duration.map { .milliseconds(Int64($0 * 1000)) }
        let (options, printsJSON, settings) = (storeOptions, json, configuration)
        // The daemon lives inside the cancellable task; a signal cancels it between requests.
        let summary = try await SignalCancellation.run { () async throws -> NodeDaemon.Summary in
            let daemon: NodeDaemon
            do { daemon = try NodeDaemon(store: try options.open(create: false), configuration: settings) } catch {
                throw CommandFailure("\(error)")
            }
            daemon.onEvent = { event in NodeRunCommand.report(event, json: printsJSON) }
            return try await daemon.run()
        }
        if json {
            try Terminal.printJSON(summary)
        } else {
            print(
                "stopped: \(summary.trainingRounds) training rounds (\(summary.completedRounds) completed), \(summary.evaluationRounds) evaluations, model \(summary.currentModel ?? "none")"
            )
        }
    }

    static func report(_ event: NodeDaemon.Event, json: Bool) {
        struct Line: Encodable {
            var event: String, campaign: String?, round: Int?, kind: String?, detail: String?
        }
        let line: Line
        switch event {
        case .started(let node, let coordinator, let windows):
            line = Line(
                event: "started", campaign: nil, round: nil, kind: nil,
                detail: "node \(node) with \(coordinator); \(windows.map(String.init) ?? "no") labelled windows")
        case .unreachable(let message, let wait):
            line = Line(
                event: "unreachable", campaign: nil, round: nil, kind: nil,
                detail: "\(message); retrying in \(String(format: "%.1f", wait.seconds)) s")
        case .reconnected: line = Line(event: "reconnected", campaign: nil, round: nil, kind: nil, detail: nil)
        case .roundStarted(let campaign, let round, let kind):
            line = Line(event: "round_started", campaign: campaign, round: round, kind: kind, detail: nil)
        case .roundEnded(let campaign, let round, let kind, let outcome):
            line = Line(event: "round_ended", campaign: campaign, round: round, kind: kind, detail: outcome)
        case .modelUpdated(let id): line = Line(event: "model_updated", campaign: nil, round: nil, kind: nil, detail: id)
        case .skipped(let campaign, let round, let reason):
            line = Line(event: "skipped", campaign: campaign, round: round, kind: nil, detail: reason)
        }
        if json {
            try? Terminal.printJSON(line)
        } else {
            let place = line.campaign.map { " \($0) round \(line.round ?? 0) (\(line.kind ?? ""))" } ?? ""
            print("\(line.event)\(place)\(line.detail.map { ": \($0)" } ?? "")")
        }
        fflush(nil)
    }
}

struct NodeLedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The privacy this node has spent: its rounds and its own ε per campaign.",
        discussion: """
            Computed on the node from the rounds whose masked update it sent (RDP, no amplification by sampling: the \
            coordinator knew it was selected), with each round's target σ. With --coordinator-check the coordinator's own \
            figure (from its ledger, with the σ actually achieved) is fetched and shown next to it.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "δ of the ε stated.") var delta = 1e-5
    @Flag(help: "Also fetch the coordinator's figure for this node.") var coordinatorCheck = false
    @Flag(help: "Print one JSON object.") var json = false

    func validate() throws {
        guard delta > 0 && delta < 1 else { throw ValidationError("--delta must be in (0, 1)") }
    }

    func run() async throws {
        let store = try storeOptions.open(create: false)
        let journal = try mapStoreError { () throws(StoreError) in try store.journal() }
        let epsilon = try journal.epsilon(delta: delta)
        var stated: [String: [String: Double]]?
        if coordinatorCheck {
            guard let enrollment = try mapStoreError({ () throws(StoreError) in try store.enrollment() }) else {
                throw CommandFailure("this node is not enrolled")
            }
            do {
                stated = try await CoordinatorClient(baseURL: enrollment.coordinator, token: enrollment.token).exportMe().privacy
            } catch {
                throw CommandFailure("cannot fetch the coordinator's figure: \(error)")
            }
        }
        struct Output: Encodable {
            var delta: Double
            var rounds: [NodeJournal.Participation]
            var epsilon: [String: Double]
            var coordinator: [String: [String: Double]]?
        }
        if json {
            try Terminal.printJSON(
                Output(delta: delta, rounds: journal.participations, epsilon: epsilon, coordinator: stated))
            return
        }
        print("campaign     round        σ      C   sent")
        let formatter = ISO8601DateFormatter()
        for entry in journal.participations {
            print(
                String(
                    format: "%@  %5d  %7.3f  %5.2f   %@", entry.campaign.padding(toLength: 10, withPad: " ", startingAt: 0),
                    entry.round, entry.noiseMultiplier, entry.clipNorm,
                    formatter.string(from: Date(timeIntervalSince1970: entry.time))))
        }
        for (campaign, value) in epsilon.sorted(by: { $0.key < $1.key }) {
            var line = "\(campaign): ε = \(String(format: "%.3f", value)) at δ = \(delta) over \(journal.participations.filter { $0.campaign == campaign }.count) rounds"
            if let theirs = stated?[campaign]?["epsilon"] {
                line += "; the coordinator states \(String(format: "%.3f", theirs)) at δ = \(stated?[campaign]?["delta"] ?? 0)"
            }
            print(line)
        }
        if journal.participations.isEmpty { print("no round has used this node's data") }
    }
}

struct NodeExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export everything the node holds, decrypted, as one JSON document (series, labels, journal, model card).",
        discussion: "The API token is left out. Write to a file you protect: the output is the raw data in the clear.")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "Output file (default: standard output).") var out: String?

    struct Series: Encodable { var quantity: String, unit: String, samples: [[Double]] }
    struct Document: Encodable {
        var format = "eqm-node-export", version = 1, exported_at: String
        var identity_key: String?
        var enrollment: [String: String]?
        var imports: [ImportRecord]
        var series: [Series]
        var labels: [LabelInterval]
        var journal: NodeJournal
        var current_model_card: String?
        var local_model: Bool
    }

    func run() throws {
        let store = try storeOptions.open(create: false)
        let document: Document = try mapStoreError { () throws(StoreError) in
            let enrollment = try store.enrollment()
            var series: [Series] = []
            for quantity in Quantity.allCases where store.seriesCounts[quantity.rawValue] != nil {
                let samples = try store.samples(series: quantity.rawValue)
                series.append(
                    Series(
                        quantity: quantity.rawValue, unit: quantity.unit,
                        samples: samples.map { sample in sample.end.map { [sample.start, $0, sample.value] } ?? [sample.start, sample.value] }))
            }
            let card = try store.readArtifact(name: "node.model").flatMap { bytes in
                (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["card"] as? String
            }
            return Document(
                exported_at: ISO8601DateFormatter().string(from: Date()),
                identity_key: try store.identity()?.publicKey.hex,
                enrollment: enrollment.map {
                    ["coordinator": $0.coordinator, "node_id": $0.nodeID, "cohort": $0.cohort, "coordinator_key": $0.coordinatorKey]
                },
                imports: store.imports, series: series, labels: try store.labels(), journal: try store.journal(),
                current_model_card: card, local_model: try store.readArtifact(name: NodeLocalModel.artifact) != nil)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let bytes = try encoder.encode(document)
        if let out {
            // Created 0600 from the start (never readable by others, even for a moment); never overwrites.
            let descriptor = open(out, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard descriptor >= 0 else {
                throw CommandFailure("cannot create \(out): \(String(cString: strerror(errno))) (an existing file is not overwritten)")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            Terminal.note(
                "exported \(document.series.reduce(0) { $0 + $1.samples.count }) samples, \(document.labels.count) labels to \(out)")
        } else {
            FileHandle.standardOutput.write(bytes)
            print()
        }
    }
}

struct NodeEraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase this node: ask the coordinator to erase everything about it, then wipe the local store.",
        discussion: """
            The coordinator's signed tombstone is printed (keep it: it proves the request). If the coordinator cannot be \
            reached the local store is kept, unless --local-only says to wipe it anyway (the coordinator then still holds \
            the node's records until you ask again from elsewhere).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Confirm: this cannot be undone.") var yes = false
    @Flag(help: "Wipe the local store even if the coordinator cannot be asked.") var localOnly = false
    @Flag(help: "Print one JSON object.") var json = false

    func run() async throws {
        guard yes else { throw CommandFailure("erasure cannot be undone: run again with --yes") }
        var tombstone: ErasureTombstone?
        var problem: String?
        do {
            let store = try storeOptions.open(create: false)
            if let enrollment = try mapStoreError({ () throws(StoreError) in try store.enrollment() }) {
                do {
                    tombstone = try await CoordinatorClient(baseURL: enrollment.coordinator, token: enrollment.token).eraseMe()
                } catch {
                    problem = "the coordinator did not erase this node: \(error)"
                }
            }
        }
        if let problem, !localOnly { throw CommandFailure("\(problem); the local store is kept (use --local-only to wipe it anyway)") }
        // The tombstone is shown whatever happens next: the token is revoked, it cannot be asked for again.
        var removalError: String?
        do { try FileManager.default.removeItem(atPath: storeOptions.store) } catch {
            removalError = "cannot remove \(storeOptions.store): \(error.localizedDescription)"
        }
        struct Output: Encodable {
            var local_store_removed: String?, tombstone: ErasureTombstone?, warning: String?, error: String?
        }
        if json {
            try Terminal.printJSON(
                Output(
                    local_store_removed: removalError == nil ? storeOptions.store : nil, tombstone: tombstone, warning: problem,
                    error: removalError))
        } else {
            if let tombstone {
                print("the coordinator erased this node at \(tombstone.erasedAt); tombstone signed by \(tombstone.signer.prefix(16))…")
                print(String(decoding: try JSONEncoder().encode(tombstone), as: UTF8.self))
            }
            if let problem { print("warning: \(problem)") }
            if removalError == nil { print("removed the local store \(storeOptions.store)") }
        }
        if let removalError { throw CommandFailure(removalError) }
    }
}

/// Runs an async body, cancelling it on SIGINT or SIGTERM so it can stop between requests.
enum SignalCancellation {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            sources.append(source)
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }
}

import ArgumentParser
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import Hummingbird
import Logging

/// Which model a node predicts with.
struct ModelChoice: ParsableArguments {
    @Option(name: .customLong("model-file"), help: "A model file (.eqmmodel, e.g. from `eqm model pull`) instead of the node's.")
    var modelFile: String?
    @Flag(help: "Use the model this node trained on its own (`eqm node train`) instead of the federated one.")
    var local = false

    /// The model file and a name for it: --model-file, else the node's local or federated model.
    func resolve(store: LocalStore?) throws -> (file: [UInt8], name: String) {
        if let modelFile {
            guard let data = FileManager.default.contents(atPath: modelFile) else { throw CommandFailure("cannot read \(modelFile)") }
            return ([UInt8](data), URL(fileURLWithPath: modelFile).lastPathComponent)
        }
        guard let store else { throw CommandFailure("give --model-file, or a node --store that holds a model") }
        if local {
            guard let file = try mapStoreError({ () throws(StoreError) in try store.readArtifact(name: NodeLocalModel.artifact) })
            else { throw CommandFailure("this node has no local model yet: run `eqm node train`") }
            return (file, "local")
        }
        guard let enrollment = try mapStoreError({ () throws(StoreError) in try store.enrollment() }) else {
            throw CommandFailure("this node is not enrolled, so it holds no federated model: use --local or --model-file")
        }
        do {
            guard let signed = try store.currentModel(trusting: try PublicKey(hex: enrollment.coordinatorKey)) else {
                throw CommandFailure("this node holds no model version yet: run `eqm node run` until one is released, or use --local")
            }
            return (signed.model, signed.card.id)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("the stored model does not verify: \(error)")
        }
    }
}

extension ModelChoice {
    /// The model file, its name, and the wearer's standardisation from the store when there is
    /// one; the store is closed (its lock released) on return.
    func loadWithStandardisation(_ options: StoreOptions) throws -> (file: [UInt8], name: String, normalizer: FeatureNormalizer?)
    {
        let store = LocalStore.exists(at: options.store) ? try options.open(create: false) : nil
        let (file, name) = try resolve(store: store)
        let spec = try ModelFile.decode(file).model.spec
        guard let store else { return (file, name, nil) }
        let data = try mapStoreError { () throws(StoreError) in try NodeData.Snapshot(store: store) }
        return (file, name, try data.normalizer(spec: spec))
    }
}

struct NodePredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict the state of each 64 s window (every 32 s) of a recording, from a file or standard input.",
        discussion: """
            Input: generic JSON lines on standard input (PATH omitted or -), or a file or folder of any import format with \
            --format. Output: one JSON line per window with its label, confidence and probability distribution. Windows are \
            standardised with the node's own stored data when --store holds some, else with the input's own statistics.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var choice: ModelChoice
    @Option(help: "Input format of PATH (default jsonl).", transform: ImportFormat.argument) var format: ImportFormat = .jsonl
    @Argument(help: "File or folder to read; - or nothing for standard input (JSON lines).") var path: String = "-"

    struct Line: Encodable {
        var window_start: String, window_end: String
        var label: String?, confidence: Float?, probabilities: [String: Float]?, skipped: String?
    }

    func run() throws {
        let (file, _, normalizer) = try choice.loadWithStandardisation(storeOptions)
        let inference = try InferenceModel(modelFile: file)
        var measurements: [EQMClient.Measurement] = []
        if path == "-" {
            guard format == .jsonl else { throw CommandFailure("standard input is read as JSON lines (--format jsonl)") }
            var number = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                if line.allSatisfy(\.isWhitespace) { continue }
                do throws(NodeError) { measurements += try LiveRecords.parse(Array(line.utf8)) } catch {
                    throw CommandFailure("standard input line \(number): \(error.message)")
                }
            }
        } else {
            var sink = InMemoryMeasurementSink()
            do { _ = try format.makeImporter().run(URL(fileURLWithPath: path), into: &sink) } catch let error as ImportError {
                throw CommandFailure("cannot read \(path) as \(format.rawValue): \(error.message)")
            }
            measurements = sink.measurements
        }
        let windows = try inference.predict(measurements, normalizer: normalizer)
        let formatter = ISO8601DateFormatter()
        func stamp(_ time: Double) -> String { formatter.string(from: Date(timeIntervalSince1970: time)) }
        for window in windows {
            guard let prediction = window.prediction else {
                try Terminal.printJSON(
                    Line(window_start: stamp(window.start), window_end: stamp(window.end), skipped: window.problem))
                continue
            }
            try Terminal.printJSON(
                Line(
                    window_start: stamp(window.start), window_end: stamp(window.end), label: prediction.label.rawValue,
                    confidence: prediction.confidence,
                    probabilities: Dictionary(
                        uniqueKeysWithValues: zip(EmotionLabel.allCases.map(\.rawValue), prediction.probabilities)),
                    skipped: nil))
        }
        if windows.isEmpty { Terminal.note("the input covers no whole 64 s window") }
    }
}

struct NodeServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Real-time inference: a WebSocket on loopback takes live samples and streams back a prediction per window.",
        discussion: """
            Connect to ws://HOST:PORT/v1/stream and send messages of one generic JSON record, or an array of records, in time \
            order. Every 32 s of stream time a 64 s window closes and the server answers {"type":"prediction", window_start, \
            window_end, label, confidence, probabilities, compute_ms}; a window without enough data gets \
            {"type":"window_skipped", reason}; an unreadable message gets {"type":"error", message} and is ignored whole. \
            Only loopback IP addresses are accepted, and WebSocket connections from web pages of other origins (the Origin \
            header browsers send) are refused. \
            SIGINT/SIGTERM stop it.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var choice: ModelChoice
    @Option(help: "Loopback address to bind: an IP literal in 127.0.0.0/8, or ::1.") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port = 8750
    @Option(help: "Write the bound port to this file once listening.") var portFile: String?

    func validate() throws {
        guard InferenceServer.isLoopback(host) else {
            throw ValidationError("--host must be a loopback address (127.0.0.1, ::1): live data stays on this machine")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
    }

    func run() async throws {
        // The store is read here and closed before serving (its lock is released).
        let (file, name, normalizer) = try choice.loadWithStandardisation(storeOptions)
        let server = try InferenceServer(modelFile: file, normalizer: normalizer, modelName: name)
        var logger = Logger(label: "eqm.node.serve")
        logger.logLevel = .warning
        let portFile = self.portFile, host = self.host
        let app = server.application(host: host, port: port, logger: logger) { bound in
            if let portFile { try? Data("\(bound)\n".utf8).write(to: URL(fileURLWithPath: portFile)) }
            Terminal.note(
                "serving \(name) on ws://\(host):\(bound)/v1/stream (\(normalizer == nil ? "running" : "the node's own") standardisation)")
        }
        try await app.runService()  // graceful shutdown on SIGTERM and SIGINT
    }
}

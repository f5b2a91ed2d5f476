import ArgumentParser
import EQMClient
import EQMCore
import Foundation
import Hummingbird
import HummingbirdWSClient
import Logging
import ServiceLifecycle
import Synchronization

struct BenchServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Real-time inference latency: window close → prediction over the `eqm node serve` WebSocket on loopback.",
        discussion: """
            Starts the inference server in process on 127.0.0.1 with a model of the chosen architecture, and streams a \
            synthetic user's recording to it as generic JSON records, one message per second of signal (64 records). The \
            latency of a window is the time from sending the message that closes it to receiving its prediction: parsing, \
            windowing, feature or sequence building, the model and the WebSocket round trip. The client waits for each \
            prediction before sending more, so no latency includes queueing. compute_ms is the server's own share. Build with \
            -c release.
            """)

    @Option(help: "The model: mlp or cnn (gru also works).") var model: BenchModel = .mlp
    @Option(help: "Predicted windows to time (64 s windows every 32 s).") var windows = 1000
    @Flag(help: "Print one JSON object.") var json = false

    struct Result: Encodable {
        var model: String, windows: Int, skipped: Int
        var p50_ms: Double, p99_ms: Double, max_ms: Double
        var compute_p50_ms: Double, compute_p99_ms: Double
        var messages: Int, records: Int, seconds: Double
    }

    func validate() throws {
        guard (10...100_000).contains(windows) else { throw ValidationError("--windows must be in 10...100000") }
    }

    func run() async throws {
        let network = try SequentialModel(spec: model.spec, seed: 1)
        let server = try InferenceServer(modelFile: ModelFile.encode(network), normalizer: nil, modelName: model.rawValue)
        let stream = try SyntheticStream(user: 1, minutes: 60, seed: 7, origin: 1_760_000_000)
        var logger = Logger(label: "eqm.bench.serve")
        logger.logLevel = .warning
        let port = BoundPort()
        let app = server.application(host: "127.0.0.1", port: 0, logger: logger) { bound in
            port.value.withLock { $0 = bound }
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let serving = Task { try await group.run() }
        defer { serving.cancel() }
        for _ in 0..<500 where port.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let url = "ws://127.0.0.1:\(port.value.withLock { $0 })/v1/stream"

        // The window [32k, 32k + 64) closes with the first record at or after 32k + 64 s: in second 32k + 64.
        let seconds = 64 + 32 * (windows - 1) + 1
        let target = windows
        let outcome = Mutex<(latencies: [Double], compute: [Double], skipped: Int)>(([], [], 0))
        let started = ContinuousClock.now
        _ = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger) {
            inbound, outbound, _ in
            var replies = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
            let clock = ContinuousClock()
            for second in 0..<seconds {
                if second % 1000 == 0 {
                    Terminal.progress("bench serve: \(second)/\(seconds) s of signal streamed")
                }
                let message = stream.message(second: second)
                let closes = second >= 64 && (second - 64) % 32 == 0
                let sent = clock.now
                try await outbound.write(.text(message))
                guard closes else { continue }
                guard case .text(let text)? = try await replies.next() else { break }
                let elapsed = (clock.now - sent).seconds * 1000
                let reply = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
                outcome.withLock { value in
                    if reply?["type"] as? String == "prediction" {
                        value.latencies.append(elapsed)
                        value.compute.append(reply?["compute_ms"] as? Double ?? 0)
                    } else {
                        value.skipped += 1
                    }
                }
                if outcome.withLock({ $0.latencies.count + $0.skipped }) >= target { break }
            }
        }
        Terminal.endProgress()
        let total = (ContinuousClock.now - started).seconds
        await group.triggerGracefulShutdown()
        _ = await serving.result
        let (latencies, compute, skipped) = outcome.withLock { ($0.latencies.sorted(), $0.compute.sorted(), $0.skipped) }
        guard !latencies.isEmpty else { throw CommandFailure("no window was predicted (\(skipped) skipped)") }
        func percentile(_ values: [Double], _ p: Double) -> Double {
            (values[min(values.count - 1, Int(Double(values.count) * p))] * 1000).rounded() / 1000
        }
        let result = Result(
            model: model.rawValue, windows: latencies.count, skipped: skipped, p50_ms: percentile(latencies, 0.5),
            p99_ms: percentile(latencies, 0.99), max_ms: percentile(latencies, 1), compute_p50_ms: percentile(compute, 0.5),
            compute_p99_ms: percentile(compute, 0.99), messages: seconds, records: seconds * 64,
            seconds: (total * 10).rounded() / 10)
        if json {
            try Terminal.printJSON(result)
        } else {
            print(
                "\(model.rawValue): window close → prediction p50 \(result.p50_ms) ms, p99 \(result.p99_ms) ms (server compute p50 \(result.compute_p50_ms) ms, p99 \(result.compute_p99_ms) ms) over \(latencies.count) windows, \(skipped) skipped"
            )
        }
    }
}

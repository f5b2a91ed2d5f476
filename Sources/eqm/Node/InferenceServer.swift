import EQMClient
import EQMCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging

/// `eqm node serve`: a WebSocket endpoint on loopback that takes live samples and answers each
/// closed window with a prediction.
///
/// Protocol on `ws://127.0.0.1:PORT/v1/stream`: the client sends text (or binary) messages, each
/// one record of the generic JSON format or an array of records, in time order. The server
/// answers with JSON text messages:
/// - `{"type":"prediction","window_start":…,"window_end":…,"label":"stress","confidence":0.41,
///   "probabilities":{"neutral":0.05,…},"compute_ms":0.8}` when a window closes,
/// - `{"type":"window_skipped","window_start":…,"window_end":…,"reason":"…"}` when a closed
///   window lacks data,
/// - `{"type":"error","message":"…"}` for a message that cannot be read (the message is
///   ignored whole; the stream goes on).
/// Each connection has its own windows and its own copy of the model.
struct InferenceServer: Sendable {
    /// The model file (decoded per connection: a model instance is not shared between tasks).
    let modelFile: [UInt8]
    let spec: ModelSpec
    /// The node's own standardisation, when it holds data; else running statistics per connection.
    let normalizer: FeatureNormalizer?
    let modelName: String

    init(modelFile: [UInt8], normalizer: FeatureNormalizer?, modelName: String) throws {
        self.modelFile = modelFile
        self.spec = try ModelFile.decode(modelFile).model.spec
        self.normalizer = normalizer
        self.modelName = modelName
    }

    struct PredictionMessage: Encodable {
        var type = "prediction"
        var window_start: Double, window_end: Double
        var label: String, confidence: Float
        var probabilities: [String: Float]
        var compute_ms: Double
        var model: String
    }

    struct SkippedMessage: Encodable {
        var type = "window_skipped"
        var window_start: Double, window_end: Double, reason: String
    }

    struct ErrorMessage: Encodable {
        var type = "error"
        var message: String
    }

    func router() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/healthz") { _, _ in "ok" }
        let server = self
        router.ws("/v1/stream") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
            guard let model = try? ModelFile.decode(server.modelFile).model,
                var windower = try? LiveWindower(spec: server.spec, normalizer: server.normalizer)
            else { return }
            let encoder = JSONEncoder()
            func send(_ value: some Encodable) async throws {
                try await outbound.write(.text(String(decoding: try encoder.encode(value), as: UTF8.self)))
            }
            for try await message in inbound.messages(maxSize: LiveRecords.maximumMessageBytes) {
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                }
                let measurements: [EQMClient.Measurement]
                switch Result(catching: { () throws(NodeError) in try LiveRecords.parse(bytes) }) {
                case .success(let parsed): measurements = parsed
                case .failure(let error):
                    try await send(ErrorMessage(message: error.message))
                    continue
                }
                let clock = ContinuousClock()
                let started = clock.now
                for window in windower.append(measurements) {
                    guard let input = window.input, let prediction = try? model.predict(input) else {
                        try await send(
                            SkippedMessage(
                                window_start: window.start, window_end: window.end, reason: window.problem ?? "no input"))
                        continue
                    }
                    let elapsed = clock.now - started
                    try await send(
                        PredictionMessage(
                            window_start: window.start, window_end: window.end, label: prediction.label.rawValue,
                            confidence: prediction.confidence,
                            probabilities: Dictionary(
                                uniqueKeysWithValues: zip(EmotionLabel.allCases.map(\.rawValue), prediction.probabilities)),
                            compute_ms: elapsed.seconds * 1000, model: server.modelName))
                }
            }
        }
        return router
    }

    /// The application on `host:port` (loopback only); `onRunning` receives the bound port.
    func application(host: String, port: Int, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void)
        -> some ApplicationProtocol
    {
        let router = router()
        return Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router, configuration: WebSocketServerConfiguration(maxFrameSize: 1 << 20)),
            configuration: .init(address: .hostname(host, port: port), serverName: "eqm-node"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Whether `host` is a loopback address (the only kind `eqm node serve` binds).
    static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

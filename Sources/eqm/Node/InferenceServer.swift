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
///   "probabilities":{"neutral":0.05,…},"compute_ms":0.8}` when a window closes (`compute_ms`:
///   from the message's arrival to this prediction, parsing included),
/// - `{"type":"window_skipped","window_start":…,"window_end":…,"reason":"…"}` when a closed
///   window lacks data,
/// - `{"type":"error","message":"…"}` for a message that cannot be read, has samples timed in
///   the future, or would overfill the window buffer (the message is ignored whole; the stream
///   goes on). A message over 1 MiB closes the connection.
/// Connections whose `Origin` header (browsers send one) is not on this machine are refused.
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
        // Browsers send an Origin header and do not apply the same-origin policy to WebSockets:
        // only origins on this machine may connect, so a web page the wearer opens elsewhere
        // cannot read or flood the stream.
        router.ws("/v1/stream") { request, _ in
            request.headers[.origin].map(Self.isLocalOrigin) ?? true ? .upgrade([:]) : .dontUpgrade
        } onUpgrade: { inbound, outbound, _ in
            guard let model = try? ModelFile.decode(server.modelFile).model,
                var windower = try? LiveWindower(spec: server.spec, normalizer: server.normalizer)
            else { return }
            let encoder = JSONEncoder()
            func send(_ value: some Encodable) async throws {
                try await outbound.write(.text(String(decoding: try encoder.encode(value), as: UTF8.self)))
            }
            for try await message in inbound.messages(maxSize: LiveRecords.maximumMessageBytes) {
                let clock = ContinuousClock()
                let received = clock.now
                let bytes: [UInt8]
                switch message {
                case .text(let text): bytes = Array(text.utf8)
                case .binary(let buffer): bytes = Array(buffer.readableBytesView)
                }
                let windows: [LiveWindower.Window]
                do throws(NodeError) {
                    let measurements = try LiveRecords.parse(bytes)
                    switch Result(catching: { () throws(LiveWindower.Refusal) in try windower.append(measurements) }) {
                    case .success(let closed): windows = closed
                    case .failure(let refusal): throw NodeError(refusal.description)
                    }
                } catch {
                    try await send(ErrorMessage(message: error.message))
                    continue
                }
                for window in windows {
                    guard let input = window.input, let prediction = try? model.predict(input) else {
                        try await send(
                            SkippedMessage(
                                window_start: window.start, window_end: window.end, reason: window.problem ?? "no input"))
                        continue
                    }
                    let elapsed = clock.now - received
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

    /// Whether an Origin header names this machine (`http://127.0.0.1:8750`, `http://[::1]`,
    /// `http://localhost:3000`).
    static func isLocalOrigin(_ origin: String) -> Bool {
        guard let schemeEnd = origin.range(of: "://") else { return false }
        var host = String(origin[schemeEnd.upperBound...])
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.firstIndex(of: ":") {
            host = String(host[..<colon])
        }
        return host == "localhost" || isLoopback(host)
    }

    /// Whether `host` is a loopback IP literal, 127.0.0.0/8 or ::1 (the only kind `eqm node serve`
    /// binds; names are not resolved, so `127.example.org` is refused).
    static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) } == [UInt8](repeating: 0, count: 15) + [1]
        }
        return false
    }
}

import EQMAPI
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import Testing

/// A TCP relay on 127.0.0.1 that forwards to a local port and keeps every byte the client sends.
final class CapturingProxy: @unchecked Sendable {
    private(set) var port = 0
    private let listener: Int32
    private let target: Int
    private let captured = Mutex<[UInt8]>([])

    init(forwardingTo target: Int) throws {
        self.target = target
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 16) == 0, "cannot listen on loopback")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Everything clients sent through the relay so far.
    var bytes: [UInt8] { captured.withLock { $0 } }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                Glibc.close(client)
                Glibc.close(upstream)
                continue
            }
            Thread.detachNewThread { [self] in pump(from: client, to: upstream, record: true) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client, record: false) }
        }
    }

    private func pump(from source: Int32, to destination: Int32, record: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            if record { captured.withLock { $0.append(contentsOf: buffer[0..<count]) } }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard written > 0 else { break }
                sent += written
            }
            if sent < count { break }
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }
}

/// The status line of a raw WebSocket upgrade request to 127.0.0.1:`port` with an Origin header.
func upgradeStatus(port: Int, path: String, origin: String) throws -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port)).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    try #require(connected == 0)
    let request =
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: \(origin)\r\n\r\n"
    _ = Array(request.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    let text = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self)
    return String(text.prefix { $0 != "\r" })
}

/// Looks for values in captured traffic: as 8-byte binary patterns (a Double, or two adjacent
/// Floats of a vector) and as decimal text tokens.
struct LeakDetector {
    private var windows = Set<UInt64>()
    private var tokens = Set<String>()

    init(_ bytes: [UInt8]) {
        if bytes.count >= 8 {
            for start in 0...(bytes.count - 8) {
                var word: UInt64 = 0
                for offset in 0..<8 { word |= UInt64(bytes[start + offset]) << (8 * offset) }
                windows.insert(word)
            }
        }
        var token = ""
        for byte in bytes {
            let character = Character(Unicode.Scalar(byte))
            if character.isNumber || character == "." || character == "-" || character == "e" || character == "E" {
                token.append(character)
            } else {
                if token.count >= 4 { tokens.insert(token) }
                token = ""
            }
        }
        if token.count >= 4 { tokens.insert(token) }
    }

    func containsDouble(_ value: Double) -> Bool { windows.contains(value.bitPattern) }

    func containsFloatPair(_ first: Float, _ second: Float) -> Bool {
        windows.contains(UInt64(first.bitPattern) | UInt64(second.bitPattern) << 32)
    }

    /// The value written as text with 6 significant digits, or in Swift's shortest form.
    func containsText(_ value: Double) -> Bool {
        let forms = [String(format: "%.6g", value), "\(value)", "\(Float(value))"].filter { $0.count >= 6 }
        return forms.contains { tokens.contains($0) }
    }
}

extension ProcessTests {
    @Suite(.serialized, .timeLimit(.minutes(5))) struct NodeTrafficAndServeTests {
        /// Every byte a node sends while it enrolls, consents and takes part in a round is captured
        /// by a relay: no raw sample and no feature value of its data is in it, in binary or text.
        @Test func rawDataNeverLeavesTheNode() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-capture-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let served = try ServedCoordinator(folder: folder)
            defer { _ = served.stop() }
            let proxy = try CapturingProxy(forwardingTo: served.port)
            defer { proxy.close() }
            let admin = CoordinatorClient(baseURL: served.url, token: served.adminToken)
            _ = try await admin.publishConsentText(.training, text: "Train on my device.")
            let watched = try await PreparedNode.prepare(
                in: folder, name: "watched", user: 0, coordinator: "http://127.0.0.1:\(proxy.port)", admin: admin)
            let others = [
                try await PreparedNode.prepare(in: folder, name: "other1", user: 1, coordinator: served.url, admin: admin),
                try await PreparedNode.prepare(in: folder, name: "other2", user: 2, coordinator: served.url, admin: admin),
            ]
            let nodes = try ([watched] + others).enumerated().map { try RunningNode($1, name: "node\($0)") }
            defer { for node in nodes { _ = node.stop() } }
            let campaign = try await admin.createCampaign(testCampaign("capture", rounds: 1))
            let rounds = try await waitForRounds(admin, campaign: campaign.id, count: 1, seconds: 90)
            #expect(rounds.first?.status == "committed", "\(rounds)")
            #expect(nodes[0].waitFor(20) { $0["event"] as? String == "round_ended" && $0["detail"] as? String == "completed" })
            for node in nodes { _ = node.stop() }

            let traffic = proxy.bytes
            // The masked update alone is 4 bytes per parameter.
            #expect(traffic.count > 4 * 8011, "only \(traffic.count) bytes were captured")
            let detector = LeakDetector(traffic)

            // The node's own data, read from its store.
            let store = try LocalStore.open(at: watched.store[1], key: .keyFile(watched.store[3]))
            let series = try NodeData.series(in: store)
            var samples = 0
            for (_, values) in series {
                for (index, sample) in values.enumerated() {
                    samples += 1
                    #expect(!detector.containsDouble(sample.value) && !detector.containsText(sample.value))
                    if index + 1 < values.count {
                        #expect(!detector.containsFloatPair(Float(sample.value), Float(values[index + 1].value)))
                    }
                }
            }
            #expect(samples > 50_000)
            let examples = try NodeData.examples(in: store, spec: .mlp())
            let inputs = examples.inputs
            for index in 0..<(inputs.count - 1) {
                #expect(!detector.containsFloatPair(inputs[index], inputs[index + 1]))
                #expect(!detector.containsText(Double(inputs[index])))
            }
            let snapshot = try NodeData.Snapshot(store: store)
            let (recording, _) = try #require(try NodeData.recording(series: snapshot.series, labels: snapshot.labels))
            let features = try WindowDataset.build(recordings: [recording], representation: .features, normalizePerUser: false)
            for value in features.inputs where value.isFinite {
                #expect(!detector.containsText(Double(value)))
            }

            // The detector does find a value that is there.
            let leaked = Array(traffic.prefix(100)) + withUnsafeBytes(of: series.first!.value[7].value.bitPattern) { Array($0) }
                + Array(String(format: "%.6g", Double(inputs[3])).utf8) + [0x2C]
            let positive = LeakDetector(leaked)
            #expect(positive.containsDouble(series.first!.value[7].value))
            #expect(positive.containsText(Double(inputs[3])) || String(format: "%.6g", Double(inputs[3])).count < 6)
        }

        /// `eqm node serve`: live samples over the WebSocket give a prediction per closed window
        /// (distribution and confidence); an unreadable message gets a JSON error and the stream goes
        /// on; a non-loopback address and web pages of other origins are refused.
        @Test func serveStreamsPredictionsOverWebSocket() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-serve-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let modelFile = folder.appendingPathComponent("model.eqmmodel")
            try Data(ModelFile.encode(try SequentialModel(spec: .mlp(), seed: 4))).write(to: modelFile)

            for host in ["0.0.0.0", "127.attacker.example", "localhost"] {
                let remote = try EQMProcess.run(["node", "serve", "--model-file", modelFile.path, "--host", host])
                #expect(remote.status != 0 && remote.stderr.contains("loopback"), "\(host)")
            }

            let portFile = folder.appendingPathComponent("port")
            let process = Process()
            process.executableURL = EQMProcess.executable
            process.arguments = [
                "node", "serve", "--model-file", modelFile.path, "--port", "0", "--port-file", portFile.path, "--store",
                folder.appendingPathComponent("no-store").path,
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer {
                process.terminate()
                process.waitUntilExit()
            }
            var port = 0
            for _ in 0..<1500 where port == 0 {
                port = Int((try? String(contentsOf: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
                    ?? 0
                if port == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            try #require(port > 0, "eqm node serve did not start")

            // A web page elsewhere may not connect; one on this machine (and a native client) may.
            #expect(!(try upgradeStatus(port: port, path: "/v1/stream", origin: "https://pages.example").contains("101")))
            #expect(try upgradeStatus(port: port, path: "/v1/stream", origin: "http://127.0.0.1:\(port)").contains("101"))

            let stream = try SyntheticStream(user: 2, minutes: 3, seed: 5, origin: 1_760_200_000)
            let replies = Mutex<[String]>([])
            _ = try await WebSocketClient.connect(
                url: "ws://127.0.0.1:\(port)/v1/stream", configuration: .init(maxFrameSize: 1 << 20),
                logger: Logger(label: "test.serve")
            ) { inbound, outbound, _ in
                var messages = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                func next() async throws -> String? {
                    guard case .text(let text)? = try await messages.next() else { return nil }
                    return text
                }
                try await outbound.write(.text(#"{"timestamp":"yesterday","sensor_id":"w","measurements":{}}"#))
                if let reply = try await next() { replies.withLock { $0.append(reply) } }
                for second in 0..<100 {
                    try await outbound.write(.text(stream.message(second: second)))
                    if second == 64 || second == 96, let reply = try await next() { replies.withLock { $0.append(reply) } }
                }
            }
            process.terminate()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "SIGTERM stops the server cleanly")

            let received = try replies.withLock { $0 }.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            try #require(received.count == 3, "\(received)")
            #expect(received[0]["type"] as? String == "error")
            #expect((received[0]["message"] as? String)?.contains("RFC 3339") == true)
            for (reply, start) in zip(received.dropFirst(), [1_760_200_000.0, 1_760_200_032]) {
                #expect(reply["type"] as? String == "prediction", "\(reply)")
                #expect(reply["window_start"] as? Double == start && reply["window_end"] as? Double == start + 64)
                let probabilities = try #require(reply["probabilities"] as? [String: Double])
                #expect(Set(probabilities.keys) == Set(EmotionLabel.allCases.map(\.rawValue)))
                #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-4)
                let label = try #require(reply["label"] as? String)
                #expect(abs((reply["confidence"] as? Double ?? 0) - probabilities[label]!) < 1e-6)
                #expect(probabilities[label]! == probabilities.values.max())
            }
        }
    }
}

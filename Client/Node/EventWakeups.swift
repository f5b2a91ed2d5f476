import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import Synchronization

/// Follows the coordinator's `/v1/events` WebSocket and counts the events, so the node's idle
/// wait ends as soon as something happens (a round starts, a stage closes, a model is released)
/// instead of at the next poll. Events are hints: the node still asks for its tasks, and polls
/// when the stream is down (it reconnects with backoff).
final class EventWakeups: Sendable {
    private let count = Atomic<Int>(0)
    private let connected = Atomic<Bool>(false)

    /// Events seen so far.
    var events: Int { count.load(ordering: .acquiring) }
    /// Whether the stream is open.
    var isConnected: Bool { connected.load(ordering: .acquiring) }

    /// Follows the stream until cancelled, reconnecting after 1 s, 2 s, … up to 30 s.
    func follow(baseURL: String, token: String) async {
        let url: String
        if baseURL.hasPrefix("https://") {
            url = "wss://" + baseURL.dropFirst("https://".count) + "/v1/events"
        } else {
            url = "ws://" + baseURL.dropFirst(baseURL.hasPrefix("http://") ? "http://".count : 0) + "/v1/events"
        }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        var logger = Logger(label: "eqm.node.events")
        logger.logLevel = .critical
        var failures = 0
        while !Task.isCancelled {
            do {
                try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 1 << 16, additionalHeaders: headers), logger: logger
                ) { inbound, _, _ in
                    self.connected.store(true, ordering: .releasing)
                    for try await _ in inbound.messages(maxSize: 1 << 16) { self.count.add(1, ordering: .acquiringAndReleasing) }
                }
            } catch {}
            // A stream that was open starts the backoff again.
            failures = connected.exchange(false, ordering: .acquiringAndReleasing) ? 1 : failures + 1
            try? await Task.sleep(for: .seconds(min(30, 1 << min(failures - 1, 5))))
        }
    }

    /// Sleeps up to `interval`, waking early (within 20 ms) once more than `seen` events have
    /// arrived (at once if they already have).
    func wait(since seen: Int, upTo interval: Duration) async {
        let deadline = ContinuousClock.now + interval
        while ContinuousClock.now < deadline && events == seen && !Task.isCancelled {
            try? await Task.sleep(for: min(.milliseconds(20), deadline - ContinuousClock.now))
        }
    }
}

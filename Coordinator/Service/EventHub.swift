public import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import Foundation
import HTTPTypes
import Logging
import Synchronization

/// Fans events out to subscribers (WebSocket connections). A slow subscriber loses the oldest
/// events (bounded buffer) rather than slowing the round driver. Events are hints: nodes always
/// read the authoritative state over REST.
public final class EventHub: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<CoordinatorEvent>.Continuation]>([:])

    /// Creates a hub.
    public init() {}

    /// Publishes an event to every subscriber.
    public func publish(_ event: CoordinatorEvent) {
        subscribers.withLock { subscribers in
            for continuation in subscribers.values { continuation.yield(event) }
        }
    }

    /// A stream of every event from now on; it ends when the hub is shut down or the consumer stops.
    public func subscribe() -> AsyncStream<CoordinatorEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<CoordinatorEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// The number of open subscriptions.
    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// Ends every subscription (at shutdown).
    public func finish() {
        let all = subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for continuation in all { continuation.finish() }
    }
}

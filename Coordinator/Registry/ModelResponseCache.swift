import Synchronization

/// The encoded `GET …/models/{version}` bodies of the most recently served versions. A release
/// never changes once signed, and every selected node downloads the round's base version, so a
/// 1,000-node round would otherwise read and base64-encode the same 400 kB model 1,000 times.
final class ModelResponseCache: Sendable {
    private struct State {
        var bodies: [String: [UInt8]] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    init(capacity: Int = 8) { self.capacity = capacity }

    func body(for id: String) -> [UInt8]? { state.withLock { $0.bodies[id] } }

    func store(_ body: [UInt8], for id: String) {
        state.withLock { state in
            if state.bodies.updateValue(body, forKey: id) == nil { state.order.append(id) }
            while state.order.count > capacity { state.bodies[state.order.removeFirst()] = nil }
        }
    }
}

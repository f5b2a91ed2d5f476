import Synchronization

/// Proof of being the one leader named by ``SQLDatabase/tryLeadership(_:)``, until released.
///
/// Release it when leadership is no longer wanted; it is also released when deinitialised.
public final class LeadershipLease: Sendable {
    /// The leadership's name.
    public let name: String
    private let state: Mutex<(any LeaseHolder)?>

    init(name: String, holder: any LeaseHolder) {
        self.name = name
        self.state = Mutex(holder)
    }

    deinit { release() }

    /// Whether the lease is still held (PostgreSQL: the locking connection still answers).
    public var isHeld: Bool {
        state.withLock { holder in holder?.isHeld() ?? false }
    }

    /// Gives up leadership; another process or instance may then acquire it. Idempotent.
    public func release() {
        let holder = state.withLock { holder -> (any LeaseHolder)? in
            defer { holder = nil }
            return holder
        }
        holder?.release()
    }
}

/// What a backend keeps to hold a lease.
protocol LeaseHolder: Sendable {
    func isHeld() -> Bool
    func release()
}

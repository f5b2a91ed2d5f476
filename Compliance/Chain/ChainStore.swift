/// Storage of one hash chain: the coordinator implements it over SQLite or PostgreSQL, a node over
/// its local store, tests in memory. Implementations only store and return; the chain logic is
/// in ``HashChain``.
public protocol ChainStore {
    /// The last link, if any.
    func lastLink() throws -> ChainLink?
    /// Appends a link (its sequence is one past the last).
    func append(_ link: ChainLink) throws
    /// Links with `sequence >= from`, in order.
    func links(from: Int) throws -> [ChainLink]
    /// Stores a checkpoint.
    func appendCheckpoint(_ checkpoint: ChainCheckpoint) throws
    /// Every checkpoint, in order.
    func checkpoints() throws -> [ChainCheckpoint]
}

/// A ``ChainStore`` in memory, for tests and for building export files.
public final class InMemoryChainStore: ChainStore {
    /// The stored links (public so tests can tamper with them).
    public var storedLinks: [ChainLink] = []
    /// The stored checkpoints.
    public var storedCheckpoints: [ChainCheckpoint] = []

    /// Creates an empty store.
    public init() {}

    public func lastLink() throws -> ChainLink? { storedLinks.last }
    public func append(_ link: ChainLink) throws { storedLinks.append(link) }
    public func links(from: Int) throws -> [ChainLink] { storedLinks.filter { $0.sequence >= from } }
    public func appendCheckpoint(_ checkpoint: ChainCheckpoint) throws { storedCheckpoints.append(checkpoint) }
    public func checkpoints() throws -> [ChainCheckpoint] { storedCheckpoints }
}

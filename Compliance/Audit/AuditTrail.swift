public import EQMCrypto
public import Foundation

/// The append-only, hash-chained audit trail with periodic checkpoints signed by the
/// coordinator's (or node's) Ed25519 key.
///
/// Not thread-safe: the owner (an actor in the server) serialises appends.
public final class AuditTrail {
    /// The chain's name in hashes and signatures.
    public static let chain = HashChain(name: "audit")

    private let store: any ChainStore
    private let signer: SigningKey
    private let checkpointInterval: Int
    private let now: () -> Date

    /// Creates a trail over `store`; every `checkpointInterval` entries are covered by a signed checkpoint.
    public init(store: any ChainStore, signer: SigningKey, checkpointInterval: Int = 100, now: @escaping () -> Date = Date.init) {
        precondition(checkpointInterval > 0, "checkpoint interval must be positive")
        self.store = store
        self.signer = signer
        self.checkpointInterval = checkpointInterval
        self.now = now
    }

    /// Appends an event; returns its link.
    @discardableResult
    public func record(_ event: AuditEvent) throws -> ChainLink {
        let link = Self.chain.link(after: try store.lastLink(), payload: try HashChain.canonicalJSON(event))
        try store.append(link)
        if (link.sequence + 1) % checkpointInterval == 0 { try checkpoint() }
        return link
    }

    /// Signs a checkpoint over the current last entry (e.g. at shutdown or before an export).
    public func checkpoint() throws {
        guard let last = try store.lastLink() else { return }
        if let previous = try store.checkpoints().last, previous.sequence == last.sequence { return }
        try store.appendCheckpoint(Self.chain.checkpoint(last, time: Self.timestamp(now()), key: signer))
    }

    /// An ISO-8601 timestamp in UTC.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}

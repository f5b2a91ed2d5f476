/// One entry of an append-only, hash-chained log (the audit trail, the DP budget ledger).
///
/// `payload` is the entry's canonical JSON exactly as it was hashed, so a verifier never has to
/// re-serialise anything: `hash = BLAKE2b-256("eqm.chain.v1|" ‖ chain ‖ "|" ‖ sequence ‖ "|" ‖
/// previousHash ‖ "|" ‖ payload)`, hex-encoded. Editing, removing or reordering any entry breaks
/// the chain at that entry.
public struct ChainLink: Codable, Sendable, Hashable {
    /// Position in the chain, from 0.
    public var sequence: Int
    /// The previous link's hash (64 zeros for the first link).
    public var previousHash: String
    /// The entry's canonical JSON.
    public var payload: String
    /// This link's hash.
    public var hash: String

    /// Creates a link from its stored fields (as read back from storage).
    public init(sequence: Int, previousHash: String, payload: String, hash: String) {
        self.sequence = sequence
        self.previousHash = previousHash
        self.payload = payload
        self.hash = hash
    }
}

/// A signature by the coordinator's Ed25519 key over the chain up to a link: whoever holds the
/// public key can check that the chain they were given is the one the coordinator committed to.
public struct ChainCheckpoint: Codable, Sendable, Hashable {
    /// The sequence of the last link covered.
    public var sequence: Int
    /// That link's hash.
    public var hash: String
    /// When the checkpoint was made (ISO-8601).
    public var time: String
    /// The signer's public key (hex).
    public var signer: String
    /// Ed25519 signature (hex) of ``signedBytes(chain:)``.
    public var signature: String

    /// The bytes the signature covers.
    public func signedBytes(chain: String) -> [UInt8] {
        Array("eqm.chain.checkpoint.v1|\(chain)|\(sequence)|\(hash)|\(time)".utf8)
    }
}

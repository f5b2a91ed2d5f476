/// What an erasure did, stated honestly, signed by the coordinator (GDPR Art. 17 and 19).
public struct ErasureCertificate: Codable, Sendable, Hashable {
    /// A random identifier of this certificate.
    public var id: String
    /// The keyed digest of the erased subject's id (the id itself is gone).
    public var subjectDigest: String
    /// When the erasure ran (ISO-8601).
    public var erasedAt: String
    /// Records deleted per category (e.g. "consent_records": 4, "updates": 12).
    public var deleted: [String: Int]
    /// Credentials (tokens, keys) revoked.
    public var credentialsRevoked: Int
    /// Model versions trained with the subject's contribution.
    public var modelVersions: [String]
    /// The differential-privacy bound on that contribution, if the subject took part in any round.
    public var privacyBound: PrivacyBound?
    /// What happened to the models: "not removed", or the retraining that was started.
    public var models: String
    /// The plain-language statement for the subject.
    public var statement: String

    /// (ε, δ) bounding what the models reveal about one participant, and how it was computed.
    public struct PrivacyBound: Codable, Sendable, Hashable {
        public var epsilon: Double
        public var delta: Double
        public var accountant: String
        public init(epsilon: Double, delta: Double, accountant: String) {
            self.epsilon = epsilon
            self.delta = delta
            self.accountant = accountant
        }
    }
}

/// The minimal record kept after erasure: enough to answer a repeated request and to prove the
/// erasure happened, nothing about the person.
public struct ErasureTombstone: Codable, Sendable, Hashable {
    /// The keyed digest of the erased subject's id.
    public var subjectDigest: String
    /// When (ISO-8601).
    public var erasedAt: String
    /// The signed certificate (canonical JSON, as signed).
    public var certificate: String
    /// The signer's public key (hex).
    public var signer: String
    /// Ed25519 signature (hex) over `"eqm.erasure.v1|" + certificate`.
    public var signature: String
}

public import EQMCrypto
public import Foundation

/// Everything the coordinator holds about subjects, as erasure sees it.
public protocol PersonalDataStore {
    /// Whether anything is held about the subject.
    func holdsData(about subject: String) throws -> Bool
    /// Deletes every record about the subject in every table; returns the count per category.
    func deleteAll(about subject: String) throws -> [String: Int]
    /// Revokes every credential of the subject; returns how many.
    func revokeCredentials(of subject: String) throws -> Int
    /// Stores a tombstone.
    func storeTombstone(_ tombstone: ErasureTombstone) throws
    /// The tombstone for a subject digest, if that subject was erased.
    func tombstone(subjectDigest: String) throws -> ErasureTombstone?
}

/// What the training history says about a subject (from the DP ledger and model registry).
public protocol ContributionHistory {
    /// Model versions trained with the subject's updates, oldest first.
    func modelVersions(contributedToBy subject: String) throws -> [String]
    /// The DP bound on the subject's contribution.
    func privacyBound(for subject: String) throws -> ErasureCertificate.PrivacyBound?
    /// The last model version released before the subject's first round, to retrain from.
    func lastVersion(before subject: String) throws -> String?
}

/// Erasure (GDPR Art. 17): delete everything about a subject, revoke their credentials, keep a
/// tombstone and a signed certificate that says honestly what happened to the models. Idempotent:
/// a repeated request returns the first certificate. An unknown subject is an error.
public final class ErasureService {
    private let data: any PersonalDataStore
    private let history: any ContributionHistory
    private let signer: SigningKey
    private let digestKey: SecretBytes
    private let audit: AuditTrail?
    private let now: () -> Date

    /// Creates the service. `digestKey` keys the subject digests in tombstones (so a list of
    /// tombstones cannot be matched against guessed ids without it).
    public init(
        data: any PersonalDataStore, history: any ContributionHistory, signer: SigningKey, digestKey: SecretBytes,
        audit: AuditTrail? = nil, now: @escaping () -> Date = Date.init
    ) {
        self.data = data
        self.history = history
        self.signer = signer
        self.digestKey = digestKey
        self.audit = audit
        self.now = now
    }

    /// The keyed digest of a subject id.
    public func digest(of subject: String) -> String { Self.digest(of: subject, key: digestKey) }

    /// The keyed digest of a subject id under `key`: the pseudonym the audit trail uses, so an
    /// auditor holding a tombstone can find the subject's audit entries, and nobody without the
    /// key can link them to an id.
    public static func digest(of subject: String, key: SecretBytes) -> String {
        let hasher = Blake2b.Hasher(length: 32)
        key.withUnsafeBytes { hasher.update($0) }
        hasher.update(Array("|eqm.erasure.subject|\(subject)".utf8))
        return hasher.finalize().hexString
    }

    /// Erases a subject; `retrainFrom` is called with the version to retrain from when retraining
    /// is requested, and returns a description of what it started.
    public func erase(subject: String, retrainFrom: ((String) throws -> String)? = nil) throws -> ErasureTombstone {
        let subjectDigest = digest(of: subject)
        if let existing = try data.tombstone(subjectDigest: subjectDigest) { return existing }
        guard try data.holdsData(about: subject) else {
            throw ComplianceError(
                .unknownSubject, "no data is held about subject \(subjectDigest.prefix(12))… and it was never erased")
        }
        // Read what the certificate must state before the data that says it is deleted.
        let versions = try history.modelVersions(contributedToBy: subject)
        let bound = try history.privacyBound(for: subject)
        let baseline = try history.lastVersion(before: subject)
        var models =
            versions.isEmpty ? "the subject's data was not used in any released model" : "not removed from released models"
        if let retrainFrom, !versions.isEmpty {
            if let baseline {
                models = try retrainFrom(baseline)
            } else {
                models = "retraining requested, but no model version precedes the subject's first round; not removed"
            }
        }
        // Revoke first, so the credentials stop working even if deletion fails half-way.
        let revoked = try data.revokeCredentials(of: subject)
        let deleted = try data.deleteAll(about: subject)
        let time = AuditTrail.timestamp(now())
        var statement = "All data held about you by this coordinator was deleted on \(time) and your credentials were revoked."
        if !versions.isEmpty {
            statement += " Model versions \(versions.joined(separator: ", ")) were trained with your contribution"
            if let bound {
                statement +=
                    " under user-level differential privacy (ε = \(String(format: "%.3g", bound.epsilon)), δ = \(bound.delta)), which bounds what they can reveal about you"
            }
            statement += models.hasPrefix("not removed") ? "; your contribution was not removed from them." : ". \(models)."
        }
        let certificate = ErasureCertificate(
            id: SecureRandom.bytes(count: 16).hexString,
            subjectDigest: subjectDigest, erasedAt: time, deleted: deleted, credentialsRevoked: revoked,
            modelVersions: versions, privacyBound: bound, models: models, statement: statement)
        let json = try HashChain.canonicalJSON(certificate)
        let signature = signer.sign(Array("eqm.erasure.v1|\(json)".utf8))
        let tombstone = ErasureTombstone(
            subjectDigest: subjectDigest, erasedAt: time, certificate: json, signer: signer.publicKey.hex,
            signature: signature.hexString)
        try data.storeTombstone(tombstone)
        try audit?.record(
            AuditEvent(
                time: time, actor: "system:erasure", action: .erasure, subject: subjectDigest,
                details: ["records_deleted": String(deleted.values.reduce(0, +)), "credentials_revoked": String(revoked)]))
        return tombstone
    }

    /// Decodes and verifies a tombstone's certificate against a public key.
    public static func verifiedCertificate(_ tombstone: ErasureTombstone, publicKey: PublicKey) throws -> ErasureCertificate {
        guard tombstone.signer == publicKey.hex, let signature = [UInt8](hex: tombstone.signature),
            publicKey.isValidSignature(signature, for: Array("eqm.erasure.v1|\(tombstone.certificate)".utf8))
        else {
            throw ComplianceError(.verificationFailed, "erasure certificate signature does not verify")
        }
        return try JSONDecoder().decode(ErasureCertificate.self, from: Data(tombstone.certificate.utf8))
    }
}

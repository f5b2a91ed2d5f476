public import EQMCrypto
public import Foundation

/// Storage of consent texts and the full consent history (implemented by the coordinator's stores
/// and in memory for tests). Records are only ever appended.
public protocol ConsentStore {
    /// Appends a grant or withdrawal.
    func appendConsent(_ record: ConsentRecord) throws
    /// Every record of a subject, oldest first.
    func consentRecords(subject: String) throws -> [ConsentRecord]
    /// Stores a consent text version.
    func publishConsentText(_ text: ConsentText) throws
    /// Every published version for a purpose, oldest first.
    func consentTexts(purpose: ProcessingPurpose) throws -> [ConsentText]
}

/// Purpose-specific consent (GDPR Art. 6(1)(a), 7, 9(2)(a)): versioned texts, grants and
/// withdrawals that are equally easy, signed receipts, the history kept as evidence, and one
/// question the rest of the system asks before processing: does this subject currently consent
/// to this purpose under the current text?
public final class ConsentRegistry {
    private let store: any ConsentStore
    private let signer: SigningKey
    private let audit: AuditTrail?
    private let now: () -> Date
    private let pseudonym: (String) -> String

    /// Creates a registry; consent changes are also written to `audit` when given, naming the
    /// subject by `pseudonym(subject)` (the coordinator passes its keyed erasure digest, so the
    /// trail keeps no subject id after an erasure).
    public init(
        store: any ConsentStore, signer: SigningKey, audit: AuditTrail? = nil, now: @escaping () -> Date = Date.init,
        pseudonym: @escaping (String) -> String = { $0 }
    ) {
        self.store = store
        self.signer = signer
        self.audit = audit
        self.now = now
        self.pseudonym = pseudonym
    }

    /// Publishes a new version of a purpose's text; existing consents then no longer count as current.
    @discardableResult
    public func publish(purpose: ProcessingPurpose, text: String) throws -> ConsentText {
        let next = (try store.consentTexts(purpose: purpose).last?.version ?? 0) + 1
        let version = ConsentText(purpose: purpose, version: next, text: text, published: AuditTrail.timestamp(now()))
        try store.publishConsentText(version)
        return version
    }

    /// The current text of a purpose.
    public func currentText(_ purpose: ProcessingPurpose) throws -> ConsentText? {
        try store.consentTexts(purpose: purpose).last
    }

    /// Records a grant of the purpose's current text and returns the signed receipt.
    public func grant(subject: String, purpose: ProcessingPurpose) throws -> ConsentReceipt {
        guard let text = try currentText(purpose) else {
            throw ComplianceError(.invalidInput, "no consent text is published for purpose '\(purpose.rawValue)'")
        }
        return try record(
            ConsentRecord(
                subject: subject, purpose: purpose, textVersion: text.version, granted: true,
                time: AuditTrail.timestamp(now())))
    }

    /// Records a withdrawal (effective for every later selection) and returns the signed receipt.
    public func withdraw(subject: String, purpose: ProcessingPurpose) throws -> ConsentReceipt {
        let version = try currentText(purpose)?.version ?? 0
        return try record(
            ConsentRecord(
                subject: subject, purpose: purpose, textVersion: version, granted: false,
                time: AuditTrail.timestamp(now())))
    }

    /// Whether the subject's latest decision for the purpose is a grant of its current text.
    public func hasConsent(subject: String, purpose: ProcessingPurpose) throws -> Bool {
        guard let current = try currentText(purpose) else { return false }
        guard let latest = try store.consentRecords(subject: subject).last(where: { $0.purpose == purpose }) else { return false }
        return latest.granted && latest.textVersion == current.version
    }

    /// The subject's full history, oldest first (Art. 15 access and evidence of consent).
    public func history(subject: String) throws -> [ConsentRecord] {
        try store.consentRecords(subject: subject)
    }

    /// Checks a receipt's signature against a public key.
    public static func isValid(_ receipt: ConsentReceipt, publicKey: PublicKey) -> Bool {
        guard let signature = [UInt8](hex: receipt.signature), receipt.signer == publicKey.hex else { return false }
        return publicKey.isValidSignature(signature, for: Array("eqm.consent.receipt.v1|\(receipt.record)".utf8))
    }

    private func record(_ record: ConsentRecord) throws -> ConsentReceipt {
        try store.appendConsent(record)
        try audit?.record(
            AuditEvent(
                time: record.time, actor: "node:\(pseudonym(record.subject))",
                action: record.granted ? .consentGranted : .consentWithdrawn, subject: pseudonym(record.subject),
                details: ["purpose": record.purpose.rawValue, "text_version": String(record.textVersion)]))
        let json = try HashChain.canonicalJSON(record)
        let signature = signer.sign(Array("eqm.consent.receipt.v1|\(json)".utf8))
        return ConsentReceipt(
            record: json, signer: signer.publicKey.hex,
            signature: signature.hexString)
    }
}

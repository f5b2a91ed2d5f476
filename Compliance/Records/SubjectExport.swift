public import Foundation

/// Everything held about a subject in one category-keyed form, as each store provides it.
public protocol SubjectDataSource {
    /// Rows per category (e.g. "enrolment", "tokens", "evaluation_reports"), values as text.
    func personalData(about subject: String) throws -> [String: [[String: String]]]
}

/// The machine-readable export of all data about one subject (GDPR Art. 15 access and Art. 20
/// portability): stored records by category, the consent history, and the subject's own ε per
/// campaign with the rounds it counts.
public struct SubjectExport: Codable, Sendable {
    /// Format name and version of this document.
    public var format = "eqm-subject-export"
    public var version = 1
    /// The pseudonymous subject.
    public var subject: String
    /// When it was generated (ISO-8601).
    public var generatedAt: String
    /// Stored records per category.
    public var data: [String: [[String: String]]]
    /// Every consent decision, oldest first.
    public var consent: [ConsentRecord]
    /// Per campaign: the subject's own ε (at the ledger's δ) and δ.
    public var privacy: [String: [String: Double]]

    /// Builds the export and records the access in the audit trail.
    public static func generate(
        subject: String, data: any SubjectDataSource, consent: ConsentRegistry, ledgers: [PrivacyLedger],
        audit: AuditTrail?, now: Date = Date(), pseudonym: (String) -> String = { $0 }
    ) throws -> SubjectExport {
        let records = try data.personalData(about: subject)
        let history = try consent.history(subject: subject)
        guard !records.isEmpty || !history.isEmpty else {
            throw ComplianceError(.unknownSubject, "no data is held about this subject")
        }
        var privacy = [String: [String: Double]]()
        for ledger in ledgers {
            privacy[ledger.header.campaign] = ["epsilon": try ledger.userEpsilon(subject), "delta": ledger.header.delta]
        }
        let time = AuditTrail.timestamp(now)
        try audit?.record(
            AuditEvent(
                time: time, actor: "node:\(pseudonym(subject))", action: .dataExport, subject: pseudonym(subject),
                details: ["categories": String(records.count)]))
        return SubjectExport(subject: subject, generatedAt: time, data: records, consent: history, privacy: privacy)
    }
}

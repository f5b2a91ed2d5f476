import EQMCompliance
import EQMCrypto
import Foundation
import Testing

/// A toy coordinator database: rows per table, each with a subject and a creation time.
final class MemoryDatabase: ConsentStore, PersonalDataStore, ContributionHistory, RetentionStore {
    struct Row: Hashable { var table: String, subject: String?, created: Double }
    var rows: [Row] = []
    var consents: [ConsentRecord] = []
    var texts: [ConsentText] = []
    var tombstones: [ErasureTombstone] = []
    var credentials: [String: Int] = [:]
    var contributions: [String: [String]] = [:]

    func appendConsent(_ record: ConsentRecord) throws { consents.append(record) }
    func consentRecords(subject: String) throws -> [ConsentRecord] { consents.filter { $0.subject == subject } }
    func publishConsentText(_ text: ConsentText) throws { texts.append(text) }
    func consentTexts(purpose: ProcessingPurpose) throws -> [ConsentText] { texts.filter { $0.purpose == purpose } }

    func holdsData(about subject: String) throws -> Bool {
        rows.contains { $0.subject == subject } || consents.contains { $0.subject == subject } || credentials[subject] != nil
    }
    func deleteAll(about subject: String) throws -> [String: Int] {
        var counts = [String: Int]()
        for row in rows where row.subject == subject { counts[row.table, default: 0] += 1 }
        rows.removeAll { $0.subject == subject }
        counts["consent_records"] = consents.filter { $0.subject == subject }.count
        consents.removeAll { $0.subject == subject }
        contributions[subject] = nil
        return counts
    }
    func revokeCredentials(of subject: String) throws -> Int { credentials.removeValue(forKey: subject) ?? 0 }
    func storeTombstone(_ tombstone: ErasureTombstone) throws { tombstones.append(tombstone) }
    func tombstone(subjectDigest: String) throws -> ErasureTombstone? { tombstones.first { $0.subjectDigest == subjectDigest } }

    func modelVersions(contributedToBy subject: String) throws -> [String] { contributions[subject] ?? [] }
    func privacyBound(for subject: String) throws -> ErasureCertificate.PrivacyBound? {
        contributions[subject].map { _ in ErasureCertificate.PrivacyBound(epsilon: 1.25, delta: 1e-5, accountant: "rdp") }
    }
    func lastVersion(before subject: String) throws -> String? { contributions[subject] == nil ? nil : "v1" }

    func deleteRecords(category: String, olderThan cutoff: Double) throws -> Int {
        let before = rows.count
        rows.removeAll { $0.table == category && $0.created < cutoff }
        return before - rows.count
    }

    /// Every trace of a subject anywhere in the database.
    func traces(of subject: String) -> Int {
        rows.filter { $0.subject == subject }.count + consents.filter { $0.subject == subject }.count
            + (credentials[subject] == nil ? 0 : 1) + (contributions[subject] == nil ? 0 : 1)
    }
}

@Suite("Consent")
struct ConsentTests {
    @Test("grant and withdraw per purpose with signed receipts; the latest decision on the current text counts")
    func grantWithdraw() throws {
        let database = MemoryDatabase()
        let key = SigningKey()
        let audit = InMemoryChainStore()
        let registry = ConsentRegistry(store: database, signer: key, audit: AuditTrail(store: audit, signer: key))
        try registry.publish(purpose: .training, text: "We train emotion models on your device.")
        #expect(try !registry.hasConsent(subject: "n1", purpose: .training))
        let receipt = try registry.grant(subject: "n1", purpose: .training)
        #expect(ConsentRegistry.isValid(receipt, publicKey: key.publicKey))
        #expect(!ConsentRegistry.isValid(receipt, publicKey: SigningKey().publicKey))
        #expect(try registry.hasConsent(subject: "n1", purpose: .training))
        #expect(try !registry.hasConsent(subject: "n1", purpose: .research))
        _ = try registry.withdraw(subject: "n1", purpose: .training)
        #expect(try !registry.hasConsent(subject: "n1", purpose: .training))
        #expect(try registry.history(subject: "n1").map(\.granted) == [true, false])  // history kept as evidence
        #expect(audit.storedLinks.count == 2)
        // A new text version needs new consent.
        _ = try registry.grant(subject: "n1", purpose: .training)
        try registry.publish(purpose: .training, text: "Version 2.")
        #expect(try !registry.hasConsent(subject: "n1", purpose: .training))
        #expect(throws: ComplianceError.self) { try registry.grant(subject: "n1", purpose: .evaluation) }
    }
}

@Suite("Erasure")
struct ErasureTests {
    static func setUp() -> (MemoryDatabase, ErasureService, SigningKey) {
        let database = MemoryDatabase()
        database.rows = [
            .init(table: "updates", subject: "n1", created: 1), .init(table: "updates", subject: "n1", created: 2),
            .init(table: "enrolments", subject: "n1", created: 1), .init(table: "updates", subject: "n2", created: 1),
        ]
        database.consents = [ConsentRecord(subject: "n1", purpose: .training, textVersion: 1, granted: true, time: "t")]
        database.credentials = ["n1": 2, "n2": 1]
        database.contributions = ["n1": ["v2", "v3"]]
        let key = SigningKey()
        let service = ErasureService(data: database, history: database, signer: key, digestKey: SecretBytes.random(count: 32))
        return (database, service, key)
    }

    @Test("erasure leaves nothing about the user but the tombstone, and a signed, honest certificate")
    func erase() throws {
        let (database, service, key) = Self.setUp()
        let tombstone = try service.erase(subject: "n1")
        #expect(database.traces(of: "n1") == 0)
        #expect(database.traces(of: "n2") == 2)  // others untouched: one update row and their credentials
        #expect(!tombstone.certificate.contains("\"n1\""))  // the id itself is not in the tombstone
        let certificate = try ErasureService.verifiedCertificate(tombstone, publicKey: key.publicKey)
        #expect(
            certificate.deleted["updates"] == 2 && certificate.deleted["enrolments"] == 1
                && certificate.deleted["consent_records"] == 1)
        #expect(certificate.credentialsRevoked == 2)
        #expect(certificate.modelVersions == ["v2", "v3"])
        #expect(certificate.privacyBound?.epsilon == 1.25)
        #expect(certificate.models == "not removed from released models")
        #expect(certificate.statement.contains("not removed"))
        #expect(throws: ComplianceError.self) {
            try ErasureService.verifiedCertificate(tombstone, publicKey: SigningKey().publicKey)
        }
    }

    @Test("erasure is idempotent and an unknown user is a clear error")
    func idempotence() throws {
        let (_, service, _) = Self.setUp()
        let first = try service.erase(subject: "n1")
        #expect(try service.erase(subject: "n1") == first)
        do {
            _ = try service.erase(subject: "nobody")
            Issue.record("erased an unknown subject")
        } catch let error as ComplianceError {
            #expect(error.code == .unknownSubject)
        }
    }

    @Test("with retraining requested, the certificate says what was started from which version")
    func retraining() throws {
        let (_, service, key) = Self.setUp()
        let tombstone = try service.erase(subject: "n1") { baseline in "retraining from \(baseline) started as campaign 7" }
        let certificate = try ErasureService.verifiedCertificate(tombstone, publicKey: key.publicKey)
        #expect(certificate.models == "retraining from v1 started as campaign 7")
    }
}

@Suite("Retention")
struct RetentionTests {
    @Test("the sweeper deletes exactly what policy says, reports it and audits it")
    func sweep() throws {
        let database = MemoryDatabase()
        let now = 1_000_000.0
        database.rows = [
            .init(table: "masked_submissions", subject: nil, created: now - 1),
            .init(table: "inactive_nodes", subject: "n1", created: now - 400 * 86_400),
            .init(table: "inactive_nodes", subject: "n2", created: now - 30 * 86_400),
            .init(table: "audit_trail", subject: nil, created: now - 5 * 365 * 86_400),
            .init(table: "audit_trail", subject: nil, created: now - 7 * 365 * 86_400),
            .init(table: "other", subject: nil, created: 0),
        ]
        let audit = InMemoryChainStore()
        let sweeper = try RetentionSweeper(
            policies: RetentionPolicy.defaults, store: database,
            audit: AuditTrail(store: audit, signer: SigningKey()), now: { Date(timeIntervalSince1970: now) })
        let report = try sweeper.sweep()
        #expect(report.deleted == ["masked_submissions": 1, "inactive_nodes": 1, "audit_trail": 1, "dp_ledger": 0])
        #expect(database.rows.map(\.created).sorted() == [0, now - 5 * 365 * 86_400, now - 30 * 86_400].sorted())
        #expect(audit.storedLinks.count == 3)
        #expect(throws: ComplianceError.self) { try RetentionPolicy(category: "x", maximumAge: -1, rationale: "") }
    }
}

@Suite("Records of processing")
struct ProcessingRecordsTests {
    @Test("the Art. 30 report is generated from the configured purposes, retention and privacy settings")
    func report() throws {
        let records = ProcessingRecords.generate(
            controller: "Example Health", contact: "dpo@example.org", purposes: [.training, .evaluation],
            retention: RetentionPolicy.defaults, delta: 1e-5, perUserEpsilonCap: 8)
        #expect(records.activities.map(\.purpose) == [.training, .evaluation])
        #expect(records.retention.count == RetentionPolicy.defaults.count)
        #expect(records.privacy.contains("ε = 8.0") && records.privacy.contains("1e-05"))
        let json = try JSONEncoder().encode(records)
        #expect(try JSONDecoder().decode(ProcessingRecords.self, from: json) == records)
    }
}

extension MemoryDatabase: SubjectDataSource {
    func personalData(about subject: String) throws -> [String: [[String: String]]] {
        Dictionary(grouping: rows.filter { $0.subject == subject }, by: \.table)
            .mapValues { $0.map { ["created": String($0.created)] } }
    }
}

@Suite("Access and portability")
struct SubjectExportTests {
    @Test("the export holds the subject's records, consent history and own ε, and is audited; unknown subjects are errors")
    func export() throws {
        let (database, _, key) = ErasureTests.setUp()
        let registry = ConsentRegistry(store: database, signer: key)
        try registry.publish(purpose: .training, text: "text")
        _ = try registry.grant(subject: "n1", purpose: .training)
        let ledger = try PrivacyLedger(
            store: InMemoryChainStore(),
            header: LedgerHeader(campaign: "c", delta: 1e-5, perUserEpsilonCap: 5, globalEpsilonCap: 5),
            participation: MemoryParticipation(), accountant: toyAccountant, signer: key)
        try ledger.record(
            round: 1, mechanism: PrivacyLedgerTests.round, selected: 3, survived: 3, participants: ["n1"], modelVersion: "v2")
        let audit = InMemoryChainStore()
        let export = try SubjectExport.generate(
            subject: "n1", data: database, consent: registry, ledgers: [ledger],
            audit: AuditTrail(store: audit, signer: key))
        #expect(export.data["updates"]?.count == 2 && export.data["enrolments"]?.count == 1)
        #expect(export.consent.count == 2)  // the seeded grant and the new one
        #expect(export.privacy["c"]?["epsilon"] == 1)
        #expect(audit.storedLinks.count == 1)
        let json = try JSONEncoder().encode(export)
        #expect(try JSONDecoder().decode(SubjectExport.self, from: json).subject == "n1")
        #expect(throws: ComplianceError.self) {
            try SubjectExport.generate(subject: "nobody", data: database, consent: registry, ledgers: [], audit: nil)
        }
    }
}

@Suite("Selection")
struct SelectionTests {
    @Test("withdrawal excludes the user from the next selection; users at their budget cap are not eligible")
    func eligibility() throws {
        let database = MemoryDatabase()
        let key = SigningKey()
        let registry = ConsentRegistry(store: database, signer: key)
        try registry.publish(purpose: .training, text: "text")
        for subject in ["a", "b", "c"] { _ = try registry.grant(subject: subject, purpose: .training) }
        let ledger = try PrivacyLedger(
            store: InMemoryChainStore(),
            header: LedgerHeader(campaign: "c", delta: 1e-5, perUserEpsilonCap: 1.5, globalEpsilonCap: 50),
            participation: MemoryParticipation(), accountant: toyAccountant, signer: key)
        let round = PrivacyLedgerTests.round
        #expect(
            try ParticipantSelection.eligible(["a", "b", "c", "d"], consent: registry, ledger: ledger, next: round) == [
                "a", "b", "c",
            ])
        _ = try registry.withdraw(subject: "b", purpose: .training)
        try ledger.record(round: 1, mechanism: round, selected: 2, survived: 2, participants: ["a", "c"], modelVersion: "v2")
        // b withdrew; a and c have ε 1 and one more round would take them to 2 > 1.5.
        #expect(try ParticipantSelection.eligible(["a", "b", "c"], consent: registry, ledger: ledger, next: round).isEmpty)
    }

    @Test("Poisson sampling selects each participant independently at the rate")
    func sampling() {
        let population = (0..<20_000).map { "n\($0)" }
        let selected = ParticipantSelection.poissonSample(population, rate: 0.1)
        // Binomial(20000, 0.1): mean 2000, sd ≈ 42; allow 6 sd.
        #expect(abs(selected.count - 2000) < 255)
        #expect(ParticipantSelection.poissonSample(population, rate: 0).isEmpty)
        #expect(ParticipantSelection.poissonSample(population, rate: 1).count == population.count)
    }
}

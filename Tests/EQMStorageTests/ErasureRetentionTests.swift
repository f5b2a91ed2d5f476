import EQMCompliance
import EQMCrypto
import EQMStorage
import Foundation
import Testing

@Suite("Coordinator store: erasure, access and retention")
struct ErasureRetentionTests {
    static let alice = "node-alice-7f3e"
    static let bob = "node-bob-21c9"
    static let aliceKey = String(repeating: "a1", count: 32)
    static let bobKey = String(repeating: "b2", count: 32)

    /// Rows about two subjects in every table that can hold personal data, plus the chains.
    static func populate(_ store: CoordinatorStore, key: SigningKey) throws {
        let accountant = LedgerAccountant(name: "toy", version: "1") { mechanisms, _ in Double(mechanisms.count) }
        try store.write { tx throws in
            try tx.setSetting("coordinator.name", "test")
            try tx.insertCampaign(Fixture.campaign())
            try tx.insertModelVersion(Fixture.model(version: 1, round: nil))
            try tx.insertRound(Fixture.round(participants: [alice, bob], status: "committed"))
            try tx.insertRound(Fixture.round("c1", 2, participants: [bob, alice]))
            for (index, subject) in [alice, bob].enumerated() {
                try tx.insertNode(Fixture.node(subject, key: index == 0 ? aliceKey : bobKey))
                try tx.insertToken(Fixture.token("tok-\(index)", subject: subject, hashByte: UInt8(index)))
                #expect(try tx.insertEvaluation(Fixture.evaluation(subject)))
                for round in [1, 2] {
                    let position = round == 1 ? index : 1 - index
                    #expect(try tx.insertRoundMessage(Fixture.message(round: round, participant: position)))
                    #expect(try tx.insertRoundOutput(Fixture.message(round: round, participant: position)))
                }
            }
            #expect(try tx.insertRoundOutput(Fixture.message(participant: -1)))
            try tx.insertToken(Fixture.token("operator", subject: nil, hashByte: 9))
            let consent = ConsentRegistry(store: tx, signer: key)
            try consent.publish(purpose: .training, text: "Training consent, v1 — ✓")
            for subject in [alice, bob] { _ = try consent.grant(subject: subject, purpose: .training) }
            _ = try consent.withdraw(subject: alice, purpose: .training)
            let ledger = try PrivacyLedger(
                store: tx.chain(StoreTransaction.ledgerChain(campaign: "c1")),
                header: LedgerHeader(campaign: "c1", delta: 1e-5, perUserEpsilonCap: 50, globalEpsilonCap: 50),
                participation: tx, accountant: accountant, signer: key)
            let mechanism = MechanismDescription(
                samplingRate: 0.5, noiseMultiplier: 1.5, clipNorm: 1, secureAggregation: true, mode: "distributed")
            try ledger.record(
                round: 1, mechanism: mechanism, selected: 2, survived: 2, participants: [alice, bob], modelVersion: "c1/v2")
            try tx.insertModelVersion(Fixture.model(version: 2, round: 1))
            let trail = AuditTrail(store: tx.chain("audit"), signer: key)
            try trail.record(AuditEvent(time: "2025-01-01T00:00:00Z", actor: "system:test", action: .roundCompleted))
        }
    }

    /// Every text value, and every blob as text, of every table.
    static func everyValue(_ store: CoordinatorStore) throws -> [(table: String, text: String)] {
        try store.read { tx throws in
            try tx.tables().flatMap { table in
                try tx.allRows(of: table).flatMap { row in
                    row.values.compactMap { value -> (String, String)? in
                        switch value {
                        case .text(let text): (table, text)
                        case .blob(let bytes): (table, String(decoding: bytes, as: UTF8.self))
                        default: nil
                        }
                    }
                }
            }
        }
    }

    static func digestKey() -> SecretBytes {
        var bytes = [UInt8](repeating: 7, count: 32)
        return SecretBytes(consuming: &bytes)
    }

    @Test(
        "erasure leaves nothing about the subject in any table, and the other subject intact", arguments: StorageBackend.enabled)
    func erasure(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            let key = SigningKey()
            try Self.populate(store, key: key)
            let before = try Self.everyValue(store)
            #expect(before.contains { $0.text.contains(Self.alice) })
            #expect(before.contains { $0.text.contains(Self.aliceKey) })

            let export = try store.read { try $0.personalData(about: Self.alice) }
            #expect(export["nodes"]?.first?["identity_key"] == Self.aliceKey)
            #expect(export["consent_records"]?.count == 2)
            #expect(export["round_messages"]?.count == 2)
            #expect(export["tokens"]?.first?["hash"] == "(32 bytes, not exported)")

            let tombstone = try store.write { tx throws in
                #expect(try tx.holdsData(about: Self.alice))
                let service = ErasureService(data: tx, history: tx, signer: key, digestKey: Self.digestKey())
                return try service.erase(subject: Self.alice)
            }
            let certificate = try ErasureService.verifiedCertificate(tombstone, publicKey: key.publicKey)
            #expect(certificate.modelVersions == ["c1/v2"])
            #expect(certificate.deleted["nodes"] == 1)
            #expect(certificate.deleted["tokens"] == 1)
            #expect(certificate.deleted["consent_records"] == 2)
            #expect(certificate.deleted["round_messages"] == 2)
            #expect(certificate.deleted["round_outputs"] == 2)
            #expect(certificate.deleted["round_participants"] == 2)
            #expect(certificate.deleted["evaluations"] == 1)
            #expect(certificate.deleted["participation"] == 1)
            let bound = try #require(certificate.privacyBound)
            #expect(bound.accountant == "rdp" && bound.delta == 1e-5 && bound.epsilon > 0 && bound.epsilon.isFinite)

            // Nothing about Alice anywhere, in any table (the tombstone holds a digest).
            let after = try Self.everyValue(store)
            let traces = after.filter { $0.text.contains(Self.alice) || $0.text.contains(Self.aliceKey) }
            #expect(traces.map(\.table) == [])
            try store.read { tx throws in
                #expect(try tx.holdsData(about: Self.alice) == false)
                #expect(try tx.personalData(about: Self.alice).isEmpty)
                #expect(try tx.tombstone(subjectDigest: tombstone.subjectDigest) == tombstone)
            }
            #expect(try store.write { try $0.revokeCredentials(of: Self.alice) } == 0)
            // Erasing again returns the same tombstone.
            let again = try store.write { tx throws in
                try ErasureService(data: tx, history: tx, signer: key, digestKey: Self.digestKey())
                    .erase(subject: Self.alice)
            }
            #expect(again == tombstone)

            // Bob is intact.
            try store.read { tx throws in
                #expect(try tx.node(id: Self.bob)?.identityKey == Self.bobKey)
                #expect(try tx.tokens().filter { $0.subject == Self.bob }.count == 1)
                #expect(try tx.consentRecords(subject: Self.bob).count == 1)
                #expect(try tx.rounds(of: Self.bob, campaign: "c1") == [1])
                #expect(try tx.evaluations(campaign: "c1", round: 1).map(\.node) == [Self.bob])
                #expect(try tx.roundMessages(campaign: "c1", round: 1, stage: 2).map(\.participant) == [1])
                #expect(try tx.roundMessages(campaign: "c1", round: 2, stage: 2).map(\.participant) == [0])
                #expect(try tx.round(campaign: "c1", round: 1)?.participants == [StoreTransaction.erasedParticipant, Self.bob])
                #expect(try tx.round(campaign: "c1", round: 2)?.participants == [Self.bob, StoreTransaction.erasedParticipant])
                #expect(try tx.roundOutput(campaign: "c1", round: 1, stage: 2, participant: 0)?.participant == -1)
                #expect(try tx.modelVersions(contributedToBy: Self.bob) == ["c1/v2"])
                #expect(try tx.lastVersion(before: Self.bob) == "c1/v1")
                #expect(try tx.holdsData(about: Self.bob))
            }
            // Revocation ends a remaining credential.
            #expect(try store.write { try $0.revokeCredentials(of: Self.bob) } == 1)
            #expect(try store.read { try $0.tokens().filter { $0.subject == Self.bob }.allSatisfy(\.revoked) })
        }
    }

    @Test("retention deletes exactly the rows older than the cutoff", arguments: StorageBackend.enabled)
    func retention(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            let cutoff = 1_000.0
            try store.write { tx throws in
                try tx.insertCampaign(Fixture.campaign())
                try tx.insertRound(Fixture.round("c1", 1, participants: ["old", "new"], status: "committed"))
                try tx.insertRound(Fixture.round("c1", 2, participants: ["old", "new"], status: "running"))
                _ = try tx.insertRoundMessage(Fixture.message(round: 1, participant: 0, received: cutoff - 0.001))
                _ = try tx.insertRoundMessage(Fixture.message(round: 1, participant: 1, received: cutoff + 0.001))
                _ = try tx.insertRoundMessage(Fixture.message(round: 2, participant: 0, received: 10))
                _ = try tx.insertEvaluation(Fixture.evaluation("old", received: cutoff - 0.5))
                _ = try tx.insertEvaluation(Fixture.evaluation("new", received: cutoff + 0.5))
                try tx.insertNode(Fixture.node("old", key: "k-old", lastSeen: cutoff - 1))
                try tx.insertNode(Fixture.node("new", key: "k-new", lastSeen: cutoff + 1))
                try tx.insertToken(Fixture.token("t-old", subject: "old", hashByte: 1))
                try tx.appendConsent(ConsentRecord(subject: "old", purpose: .training, textVersion: 1, granted: true, time: "t"))
                try tx.chain("audit").append(AuditTrail.chain.link(after: nil, payload: "{}"))
            }
            let deleted = try store.write { tx throws in
                (
                    masked: try tx.deleteRecords(category: "masked_submissions", olderThan: cutoff),
                    evaluations: try tx.deleteRecords(category: "evaluation_reports", olderThan: cutoff),
                    audit: try tx.deleteRecords(category: "audit_trail", olderThan: .infinity),
                    ledger: try tx.deleteRecords(category: "dp_ledger", olderThan: .infinity)
                )
            }
            #expect(deleted.masked == 1 && deleted.evaluations == 1 && deleted.audit == 0 && deleted.ledger == 0)
            try store.read { tx throws in
                #expect(try tx.roundMessages(campaign: "c1", round: 1, stage: 2).map(\.participant) == [1])
                #expect(try tx.roundMessageCount(campaign: "c1", round: 2, stage: 2) == 1)
                #expect(try tx.evaluations(campaign: "c1", round: 1).map(\.node) == ["new"])
                #expect(try tx.chain("audit").links(from: 0).count == 1)
            }
            // Inactive nodes through the compliance sweeper, with a fixed clock.
            let policy = try RetentionPolicy(category: "inactive_nodes", maximumAge: 100, rationale: "test")
            let report = try store.write { tx throws in
                let report = try RetentionSweeper(
                    policies: [policy], store: tx, now: { Date(timeIntervalSince1970: cutoff + 100) }
                ).sweep()
                try tx.insertRetentionRun(report, at: cutoff + 100)
                return report
            }
            #expect(report.deleted == ["inactive_nodes": 1])
            try store.read { tx throws in
                #expect(try tx.nodes().map(\.id) == ["new"])
                #expect(try tx.tokens().isEmpty)
                #expect(try tx.consentRecords(subject: "old").isEmpty)
                #expect(try tx.retentionRuns() == [report])
            }
            let unknown = #expect(throws: StorageError.self) {
                try store.write { try $0.deleteRecords(category: "everything", olderThan: cutoff) }
            }
            #expect(unknown?.code == .invalidArgument)
        }
    }
}

import EQMCompliance
import EQMCrypto
import EQMStorage
import Foundation
import Synchronization
import Testing

/// One suite, every backend: the same behaviour is required of SQLite and PostgreSQL.
@Suite("Coordinator store conformance")
struct StoreConformanceTests {
    @Test("every record type round-trips, blobs with all 256 byte values and unicode text", arguments: StorageBackend.enabled)
    func roundTrip(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            let campaign = Fixture.campaign()
            let round = Fixture.round(participants: ["n1", "n2 ü"])
            let node = Fixture.node("n1", key: String(repeating: "0f", count: 32))
            let token = Fixture.token("t1", subject: "n1", hashByte: 7)
            let message = Fixture.message(participant: 0)
            let model = Fixture.model(version: 1, round: 1)
            let evaluation = Fixture.evaluation("n1")
            try store.write { tx throws in
                try tx.setSetting("motto", Fixture.unicode)
                try tx.setSetting("motto", Fixture.unicode + "!")
                try tx.insertCampaign(campaign)
                try tx.insertRound(round)
                try tx.insertNode(node)
                try tx.insertToken(token)
                #expect(try tx.insertRoundMessage(message))
                #expect(try tx.insertRoundOutput(message))
                try tx.insertModelVersion(model)
                #expect(try tx.insertEvaluation(evaluation))
            }
            try store.read { tx throws in
                #expect(try tx.setting("motto") == Fixture.unicode + "!")
                #expect(try tx.setting("absent") == nil)
                #expect(try tx.campaign(id: "c1") == campaign)
                #expect(try tx.campaigns() == [campaign])
                #expect(try tx.round(campaign: "c1", round: 1) == round)
                #expect(try tx.rounds(campaign: "c1") == [round])
                #expect(try tx.openRounds() == [round])
                #expect(try tx.latestRound(campaign: "c1") == round)
                #expect(try tx.node(id: "n1") == node)
                #expect(try tx.node(identityKey: node.identityKey) == node)
                #expect(try tx.nodes() == [node])
                #expect(try tx.nodeCount() == 1)
                #expect(try tx.token(id: token.id) == token)
                #expect(try tx.token(id: "unknown") == nil)
                #expect(try tx.tokens() == [token])
                #expect(try tx.roundMessages(campaign: "c1", round: 1, stage: 2) == [message])
                #expect(try tx.roundOutput(campaign: "c1", round: 1, stage: 2, participant: 0) == message)
                #expect(try tx.modelVersion(id: "c1/v1") == model)
                #expect(try tx.modelVersions(campaign: "c1") == [model])
                #expect(try tx.modelVersions(campaign: "c1", includingModels: false).first?.model == [])
                #expect(try tx.evaluations(campaign: "c1", round: 1) == [evaluation])
            }
            // Updates change exactly the row named.
            var updated = round
            updated.status = "committed"
            updated.stage = 4
            updated.sealedRoundKey = nil
            updated.finished = 270.5
            updated.reason = "done ✓"
            try store.write { tx throws in
                #expect(try tx.updateRound(updated))
                #expect(try tx.updateCampaign(id: "c1", status: "stopped", reason: "budget"))
                #expect(try tx.updateCampaign(id: "nope", status: "stopped", reason: nil) == false)
                #expect(try tx.touchNode(id: "n1", at: 777.25))
                #expect(try tx.revokeToken(id: "t1"))
                #expect(try tx.revokeToken(id: "t1") == false)
            }
            try store.read { tx throws in
                #expect(try tx.round(campaign: "c1", round: 1) == updated)
                #expect(try tx.openRounds().isEmpty)
                #expect(try tx.campaign(id: "c1")?.reason == "budget")
                #expect(try tx.node(id: "n1")?.lastSeen == 777.25)
                #expect(try tx.tokens().first?.revoked == true)
            }
        }
    }

    @Test("a transaction that throws leaves nothing behind", arguments: StorageBackend.enabled)
    func rollback(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            #expect(throws: Rollback.self) {
                try store.write { tx throws in
                    try tx.insertCampaign(Fixture.campaign())
                    try tx.insertNode(Fixture.node("n1", key: "k1"))
                    throw Rollback()
                }
            }
            // A constraint violation rolls back the statements before it too.
            let error = #expect(throws: StorageError.self) {
                try store.write { tx throws in
                    try tx.insertNode(Fixture.node("n2", key: "k2"))
                    try tx.insertNode(Fixture.node("n3", key: "k2"))
                }
            }
            #expect(error?.code == .constraintViolation)
            #expect(error?.message.contains("k2") == false)
            try store.read { tx throws in
                #expect(try tx.campaigns().isEmpty)
                #expect(try tx.nodeCount() == 0)
            }
        }
    }

    @Test("submissions are idempotent; outputs fall back to the broadcast", arguments: StorageBackend.enabled)
    func messages(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            try store.write { tx throws in
                try tx.insertCampaign(Fixture.campaign())
                try tx.insertRound(Fixture.round(participants: ["a", "b", "c"]))
                #expect(try tx.insertRoundMessage(Fixture.message(participant: 1)))
                var again = Fixture.message(participant: 1)
                again.body = [9, 9]
                #expect(try tx.insertRoundMessage(again) == false)
                #expect(try tx.insertRoundMessage(Fixture.message(participant: 0)))
                #expect(try tx.insertRoundMessage(Fixture.message(stage: 3, participant: 0)))
                var broadcast = Fixture.message(participant: -1)
                broadcast.body = [1]
                #expect(try tx.insertRoundOutput(broadcast))
                var personal = Fixture.message(participant: 2)
                personal.body = [2]
                #expect(try tx.insertRoundOutput(personal))
            }
            try store.read { tx throws in
                let stage2 = try tx.roundMessages(campaign: "c1", round: 1, stage: 2)
                #expect(stage2.map(\.participant) == [0, 1])
                #expect(stage2[1].body == Fixture.message(participant: 1).body)
                #expect(try tx.roundMessageCount(campaign: "c1", round: 1, stage: 2) == 2)
                #expect(try tx.roundOutput(campaign: "c1", round: 1, stage: 2, participant: 2)?.body == [2])
                #expect(try tx.roundOutput(campaign: "c1", round: 1, stage: 2, participant: 0)?.body == [1])
                #expect(try tx.roundOutput(campaign: "c1", round: 1, stage: 3, participant: 0) == nil)
            }
            try store.write { tx throws in
                #expect(try tx.deleteRoundMessages(campaign: "c1", round: 1) == 3)
                #expect(try tx.deleteRoundOutputs(campaign: "c1", round: 1) == 2)
            }
            #expect(try store.read { try $0.roundMessageCount(campaign: "c1", round: 1, stage: 2) } == 0)
        }
    }

    @Test(
        "the served model: promoted wins, then the highest released, per cohort; rolled back never",
        arguments: StorageBackend.enabled)
    func servedModel(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            try store.write { tx throws in
                try tx.insertCampaign(Fixture.campaign())
                try tx.insertModelVersion(Fixture.model(version: 1, round: nil))
                try tx.insertModelVersion(Fixture.model(version: 2, round: 1, status: "promoted"))
                try tx.insertModelVersion(Fixture.model(version: 3, round: 2))
                try tx.insertModelVersion(Fixture.model(version: 4, round: 3, status: "rolled_back"))
                try tx.insertModelVersion(Fixture.model(version: 5, round: 4, cohort: "b"))
            }
            let duplicate = #expect(throws: StorageError.self) {
                try store.write { try $0.insertModelVersion(Fixture.model(version: 5, round: 4)) }
            }
            #expect(duplicate?.code == .constraintViolation)
            #expect(try store.read { try $0.latestModelVersion(campaign: "c1", cohort: nil)?.id } == "c1/v2")
            #expect(try store.read { try $0.latestModelVersion(campaign: "c1", cohort: "b")?.id } == "c1/v2")
            try store.write { tx throws in #expect(try tx.updateModelStatus(id: "c1/v2", status: "rolled_back", cohort: nil)) }
            try store.read { tx throws in
                #expect(try tx.latestModelVersion(campaign: "c1", cohort: nil)?.id == "c1/v3")
                #expect(try tx.latestModelVersion(campaign: "c1", cohort: "b")?.id == "c1/v5")
                #expect(try tx.latestModelVersion(campaign: "c1", cohort: "a")?.id == "c1/v3")
                #expect(try tx.modelVersions(campaign: "c1").map(\.version) == [1, 2, 3, 4, 5])
            }
        }
    }

    @Test("an enrollment token is used exactly once under concurrency", arguments: StorageBackend.enabled)
    func enrollmentSingleUse(backend: StorageBackend) throws {
        try withStore(backend) { store, scratch in
            try store.write { tx throws in
                try tx.insertToken(Fixture.token("enrol", subject: nil, kind: "enrollment", hashByte: 1))
                try tx.insertToken(Fixture.token("api", subject: nil, kind: "api", hashByte: 2))
            }
            // Separate database instances, as two replicas (or two request threads) would have.
            let stores = try (0..<2).map { _ in try CoordinatorStore(database: scratch.open(), migrate: false) }
            defer { stores.forEach { $0.close() } }
            let wins = Mutex<[Bool]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { attempt in
                do {
                    let won = try stores[attempt % 2].write { try $0.markEnrollmentTokenUsed(id: "enrol") }
                    wins.withLock { $0.append(won) }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(wins.withLock { $0.filter { $0 }.count } == 1)
            #expect(wins.withLock { $0.count } == 8)
            try store.write { tx throws in
                #expect(try tx.markEnrollmentTokenUsed(id: "api") == false)
                #expect(try tx.markEnrollmentTokenUsed(id: "missing") == false)
            }
        }
    }

    @Test("migrations are idempotent and a newer schema is refused", arguments: StorageBackend.enabled)
    func migrations(backend: StorageBackend) throws {
        try withStore(backend) { store, scratch in
            #expect(try store.migrate() == [])
            #expect(try CoordinatorStore.migrator.currentVersion(store.database) == CoordinatorStore.migrator.latestVersion)
            let second = try scratch.store()
            #expect(try second.migrate() == [])
            second.close()
            try store.read { tx throws in
                for table in tx.tables() { _ = try tx.allRows(of: table) }
                #expect(try tx.allRows(of: "schema_migrations").count == CoordinatorSchema.migrations.count)
            }
            try store.database.write { sql throws in
                try sql.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", [.int(999), .real(1)])
            }
            let error = #expect(throws: StorageError.self) { try store.migrate() }
            #expect(error?.code == .schemaTooNew)
            #expect(error?.message.contains("999") == true)
            #expect(throws: StorageError.self) { try scratch.store() }
        }
    }

    @Test("a fresh database is migrated once even when two instances start together", arguments: StorageBackend.enabled)
    func concurrentMigration(backend: StorageBackend) throws {
        let scratch = try ScratchDatabase(backend)
        defer { scratch.remove() }
        let databases = try (0..<2).map { _ in try scratch.open() }
        let results = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let applied = try CoordinatorStore.migrator.migrate(databases[index], now: 1)
                results.withLock { $0.append("applied \(applied)") }
            } catch {
                results.withLock { $0.append("error \(error)") }
            }
        }
        #expect(Set(results.withLock { $0 }) == ["applied []", "applied [1]"])
        databases.forEach { $0.close() }
    }

    @Test("an AuditTrail and a PrivacyLedger over stored chains verify when read back", arguments: StorageBackend.enabled)
    func chains(backend: StorageBackend) throws {
        try withStore(backend) { store, _ in
            let key = SigningKey()
            let accountant = LedgerAccountant(name: "toy", version: "1") { mechanisms, _ in Double(mechanisms.count) / 2 }
            let header = try LedgerHeader(campaign: "c1", delta: 1e-5, perUserEpsilonCap: 10, globalEpsilonCap: 10)
            let mechanism = MechanismDescription(
                samplingRate: 0.1, noiseMultiplier: 1.2, clipNorm: 1, secureAggregation: true, mode: "distributed")
            try store.write { tx throws in
                let trail = AuditTrail(store: tx.chain("audit"), signer: key, checkpointInterval: 2)
                for index in 0..<5 {
                    try trail.record(
                        AuditEvent(
                            time: "2025-01-0\(index + 1)T00:00:00Z", actor: "system:test", action: .roundCompleted,
                            details: ["round": "\(index)", "note": Fixture.unicode]))
                }
                try trail.checkpoint()
                let ledger = try PrivacyLedger(
                    store: tx.chain(StoreTransaction.ledgerChain(campaign: "c1")), header: header, participation: tx,
                    accountant: accountant, signer: key)
                try ledger.record(
                    round: 1, mechanism: mechanism, selected: 3, survived: 3, participants: ["a", "b"], modelVersion: "c1/v2")
            }
            try store.read { tx throws in
                let audit = tx.chain("audit")
                let links = try audit.links(from: 0)
                #expect(links.count == 5)
                #expect(try audit.checkpoints().map(\.sequence) == [1, 3, 4])
                #expect(AuditTrail.chain.verify(links, checkpoints: try audit.checkpoints(), publicKey: key.publicKey).isEmpty)
                #expect(try audit.lastLink() == links.last)
                #expect(try audit.links(from: 3).map(\.sequence) == [3, 4])
                let export = try ChainExport(chain: "ledger", store: tx.chain("ledger:c1"))
                #expect(export.links.count == 2)
                #expect(LedgerVerifier(accountants: [accountant]).verify(export, publicKey: key.publicKey).ok)
                #expect(try tx.rounds(of: "a", campaign: "c1") == [1])
                // Reopening the ledger reads its header back from the store.
                let reopened = try PrivacyLedger(
                    store: tx.chain("ledger:c1"), header: header, participation: tx, accountant: accountant, signer: key)
                #expect(try reopened.userEpsilon("a") == 0.5)
            }
            // Tampering with a stored row is caught.
            try store.database.write { sql throws in
                try sql.execute("UPDATE chain_links SET payload = ? WHERE chain = 'audit' AND sequence = 2", [.text("{}")])
            }
            let problems = try store.read { tx throws in
                AuditTrail.chain.verify(
                    try tx.chain("audit").links(from: 0), checkpoints: try tx.chain("audit").checkpoints(),
                    publicKey: key.publicKey)
            }
            #expect(problems.contains { $0.sequence == 2 && $0.kind == .modified })
            // The autocommit chain store sees the same rows.
            #expect(try store.chain("audit").links(from: 0).count == 5)
        }
    }

    @Test("leadership: one lease per name until released", arguments: StorageBackend.enabled)
    func leadership(backend: StorageBackend) throws {
        let scratch = try ScratchDatabase(backend)
        defer { scratch.remove() }
        let first = try scratch.open()
        let second = try scratch.open()
        let name = "campaign-\(UUID().uuidString)"
        let lease = try #require(try first.tryLeadership(name))
        #expect(lease.isHeld)
        #expect(try second.tryLeadership(name) == nil)
        #expect(try first.tryLeadership(name) == nil)
        let other = try #require(try second.tryLeadership(name + "-other"))
        lease.release()
        #expect(!lease.isHeld)
        let next = try #require(try second.tryLeadership(name))
        #expect(next.isHeld)
        next.release()
        other.release()
        first.close()
        second.close()
    }
}

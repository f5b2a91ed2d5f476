import EQMCompliance
import EQMCrypto
import Foundation
import Testing

final class MemoryParticipation: ParticipationStore {
    var rows: [(subject: String, campaign: String, round: Int)] = []
    func recordParticipation(subject: String, campaign: String, round: Int) throws { rows.append((subject, campaign, round)) }
    func rounds(of subject: String, campaign: String) throws -> [Int] {
        rows.filter { $0.subject == subject && $0.campaign == campaign }.map(\.round)
    }
}

/// A stand-in accountant with a simple, checkable rule (the real RDP/PLD accountants are tested in EQMCore):
/// ε = Σ q·steps/σ.
let toyAccountant = LedgerAccountant(name: "toy", version: "1") { mechanisms, _ in
    mechanisms.reduce(0) { $0 + $1.samplingRate * Double($1.steps) / $1.noiseMultiplier }
}

@Suite("DP budget ledger")
struct PrivacyLedgerTests {
    static let round = MechanismDescription(
        samplingRate: 0.1, noiseMultiplier: 1.0, clipNorm: 1.0, secureAggregation: true, mode: "distributed")

    static func ledger(cap: Double = 10, userCap: Double = 2.5) throws -> (
        PrivacyLedger, InMemoryChainStore, MemoryParticipation, SigningKey
    ) {
        let store = InMemoryChainStore(), participation = MemoryParticipation(), key = SigningKey()
        let header = try LedgerHeader(campaign: "stress-2026", delta: 1e-5, perUserEpsilonCap: userCap, globalEpsilonCap: cap)
        let ledger = try PrivacyLedger(
            store: store, header: header, participation: participation, accountant: toyAccountant, signer: key)
        return (ledger, store, participation, key)
    }

    @Test("entries chain after the header; global ε from all rounds, a user's ε only from their rounds")
    func accounting() throws {
        let (ledger, store, _, key) = try Self.ledger()
        try ledger.record(
            round: 1, mechanism: Self.round, selected: 10, survived: 9, participants: ["a", "b"], modelVersion: "v2")
        try ledger.record(round: 2, mechanism: Self.round, selected: 11, survived: 11, participants: ["a"], modelVersion: "v3")
        #expect(abs(try ledger.globalEpsilon() - 0.2) < 1e-12)
        #expect(try ledger.userEpsilon("a") == 2)  // unamplified: q = 1 per round taken part in
        #expect(try ledger.userEpsilon("b") == 1)
        #expect(try ledger.userEpsilon("c") == 0)
        #expect(try ledger.isEligible("b", next: Self.round))
        #expect(try !ledger.isEligible("a", next: Self.round))  // 3 > per-user cap 2.5
        let report = LedgerVerifier(accountants: [toyAccountant]).verify(
            try ChainExport(chain: "ledger", store: store), publicKey: key.publicKey)
        #expect(report.ok, "\(report.problems)")
        #expect(report.applied == 2 && abs(report.globalEpsilon - 0.2) < 1e-12)
        // No personal data in the ledger: participants are counted, never named.
        #expect(store.storedLinks.allSatisfy { !$0.payload.contains("\"a\"") })
    }

    @Test("a spend past the global cap is recorded as refused and throws; the ε does not move")
    func globalCap() throws {
        let (ledger, store, _, key) = try Self.ledger(cap: 0.25)
        try ledger.record(round: 1, mechanism: Self.round, selected: 5, survived: 5, participants: [], modelVersion: "v2")
        try ledger.record(round: 2, mechanism: Self.round, selected: 5, survived: 5, participants: [], modelVersion: "v3")
        do {
            try ledger.record(round: 3, mechanism: Self.round, selected: 5, survived: 5, participants: [], modelVersion: "v4")
            Issue.record("spend past the cap accepted")
        } catch let error as ComplianceError {
            #expect(error.code == .budgetExhausted)
        }
        #expect(abs(try ledger.globalEpsilon() - 0.2) < 1e-12)
        let report = LedgerVerifier(accountants: [toyAccountant]).verify(
            try ChainExport(chain: "ledger", store: store), publicKey: key.publicKey)
        #expect(report.ok && report.refused == 1 && report.applied == 2)
    }

    @Test("a recorded ε that does not match the entries, an applied spend over the cap, and edits are all named")
    func discrepancies() throws {
        let (ledger, store, _, key) = try Self.ledger()
        for round in 1...4 {
            try ledger.record(
                round: round, mechanism: Self.round, selected: 5, survived: 4, participants: [], modelVersion: "v\(round + 1)")
        }
        // Someone lowers round 3's σ after the fact and re-hashes the chain from there (without the key).
        var links = store.storedLinks
        var entry = try JSONDecoder().decode(LedgerEntry.self, from: Data(links[3].payload.utf8))
        entry.mechanism.noiseMultiplier = 2
        links[3] = PrivacyLedger.chain.link(after: links[2], payload: try HashChain.canonicalJSON(entry))
        for index in 4..<links.count {
            links[index] = PrivacyLedger.chain.link(after: links[index - 1], payload: links[index].payload)
        }
        let report = LedgerVerifier(accountants: [toyAccountant])
            .verify(ChainExport(chain: "ledger", links: links, checkpoints: store.storedCheckpoints), publicKey: key.publicKey)
        #expect(!report.ok)
        #expect(report.problems.contains { $0.sequence == 3 && $0.kind == .mismatch })  // recorded ε no longer matches
        #expect(report.problems.contains { $0.kind == .modified })  // and the signed checkpoints disagree
        // An unknown accountant is a named problem, not a crash.
        let unknown = LedgerVerifier(accountants: []).verify(
            try ChainExport(chain: "ledger", store: store), publicKey: key.publicKey)
        #expect(unknown.problems.contains { $0.message.contains("toy") })
    }
}

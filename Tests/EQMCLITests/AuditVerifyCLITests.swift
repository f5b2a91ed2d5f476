import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import Testing

final class ParticipationRows: ParticipationStore {
    var rows: [(String, Int)] = []
    func recordParticipation(subject: String, campaign: String, round: Int) throws { rows.append((subject, round)) }
    func rounds(of subject: String, campaign: String) throws -> [Int] { rows.filter { $0.0 == subject }.map(\.1) }
}

@Suite("eqm audit verify")
struct AuditVerifyCLITests {
    static let rdp = LedgerAccountant(name: RDPAccountant().name, version: RDPAccountant().version) { mechanisms, delta in
        let rounds = try mechanisms.map {
            try PoissonSubsampledGaussian(samplingRate: $0.samplingRate, noiseMultiplier: $0.noiseMultiplier, steps: $0.steps)
        }
        return try RDPAccountant().guarantee(for: PrivacyEvent(rounds), delta: delta).epsilon
    }

    @Test("a ledger kept with the RDP accountant verifies offline; one edited byte fails with the entry named")
    func ledger() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = SigningKey(), store = InMemoryChainStore()
        let ledger = try PrivacyLedger(
            store: store, header: LedgerHeader(campaign: "c1", delta: 1e-5, perUserEpsilonCap: 10, globalEpsilonCap: 8),
            participation: ParticipationRows(), accountant: Self.rdp, signer: key)
        for round in 1...5 {
            try ledger.record(
                round: round,
                mechanism: MechanismDescription(
                    samplingRate: 0.05, noiseMultiplier: 1.1 + 0.1 * Double(round),
                    clipNorm: 1, secureAggregation: true, mode: "distributed"),
                selected: 50, survived: 45, participants: ["n\(round)"], modelVersion: "v\(round + 1)")
        }
        let file = folder.appendingPathComponent("ledger.json")
        try ChainExport(chain: "ledger", store: store).encoded().write(to: file)

        let good = try EQMProcess.run(["audit", "verify", "--ledger", file.path, "--public-key", key.publicKey.hex, "--json"])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        let report = try #require(try good.json()["ledger"] as? [String: Any])
        #expect(abs((report["globalEpsilon"] as? Double ?? 0) - (try ledger.globalEpsilon())) < 1e-9)

        // Lower one round's noise multiplier in the file: "1.3" → "1.2" in entry 2's payload.
        var text = try String(contentsOf: file, encoding: .utf8)
        let range = try #require(text.range(of: "noiseMultiplier\\\":1.3"))
        text.replaceSubrange(range, with: "noiseMultiplier\\\":1.2")
        try Data(text.utf8).write(to: file)
        let bad = try EQMProcess.run(["audit", "verify", "--ledger", file.path, "--public-key", key.publicKey.hex])
        #expect(bad.status != 0)
        #expect(bad.stdout.contains("entry 2"), "\(bad.stdout)")

        // The wrong key is not accepted either.
        let otherKey = try EQMProcess.run(["audit", "verify", "--ledger", file.path, "--public-key", SigningKey().publicKey.hex])
        #expect(otherKey.status != 0)
    }
}

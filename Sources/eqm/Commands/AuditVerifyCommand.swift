import ArgumentParser
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation

struct AuditVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a DP budget ledger and/or an audit trail export offline.",
        discussion: """
            Checks every hash link, every signed checkpoint (against --public-key, the coordinator's Ed25519 key), \
            and for a ledger recomputes every entry's ε from the mechanisms recorded before it, independently of the \
            stored totals. Exits non-zero on any tamper or mismatch, naming each entry.
            """
    )

    @Option(help: "A ledger export (JSON, as the coordinator exports it).") var ledger: String?
    @Option(help: "An audit-trail export (JSON).") var trail: String?
    @Option(help: "The coordinator's Ed25519 public key (64 hex characters). Without it only consistency is checked.")
    var publicKey: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        var ok: Bool
        var ledger: LedgerVerifier.Report?
        var trail: TrailReport?
        var signer_checked: Bool
    }

    struct TrailReport: Encodable {
        var entries: Int, checkpoints: Int, problems: [ChainProblem]
    }

    func validate() throws {
        guard ledger != nil || trail != nil else { throw ValidationError("give --ledger FILE, --trail FILE, or both") }
    }

    func run() throws {
        let key: PublicKey?
        do { key = try publicKey.map(PublicKey.init(hex:)) } catch { throw CommandFailure("--public-key: \(error.message)") }
        var output = Output(ok: true, ledger: nil, trail: nil, signer_checked: key != nil)
        if let ledger {
            let export = try read(ledger)
            let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(export, publicKey: key)
            output.ledger = report
            output.ok = output.ok && report.ok
        }
        if let trail {
            let export = try read(trail)
            var problems = AuditTrail.chain.verify(export.links, checkpoints: export.checkpoints, publicKey: key)
            if export.chain != "audit" {
                problems.append(
                    ChainProblem(
                        sequence: 0, kind: .mismatch, message: "the file holds a '\(export.chain)' chain, not an audit trail"))
            }
            output.trail = TrailReport(entries: export.links.count, checkpoints: export.checkpoints.count, problems: problems)
            output.ok = output.ok && problems.isEmpty
        }
        if json {
            try Terminal.printJSON(output)
        } else {
            if let report = output.ledger {
                print(
                    "ledger \(ledger!): \(report.entries) entries (\(report.applied) applied, \(report.refused) refused), global ε = \(String(format: "%.4f", report.globalEpsilon)) at δ = \(report.delta): \(report.ok ? "verified" : "\(report.problems.count) problem(s)")"
                )
                for problem in report.problems { print("  entry \(problem.sequence): \(problem.message)") }
            }
            if let report = output.trail {
                print(
                    "audit trail \(trail!): \(report.entries) entries, \(report.checkpoints) checkpoints: \(report.problems.isEmpty ? "verified" : "\(report.problems.count) problem(s)")"
                )
                for problem in report.problems { print("  entry \(problem.sequence): \(problem.message)") }
            }
            if key == nil {
                Terminal.note(
                    "no --public-key: checkpoint signatures were checked against the keys they name, not against the coordinator's"
                )
            }
        }
        if !output.ok { throw ExitCode(1) }
    }

    private func read(_ path: String) throws -> ChainExport {
        do { return try ChainExport.read(contentsOf: URL(fileURLWithPath: path)) } catch let error as ComplianceError {
            throw CommandFailure(error.message)
        } catch {
            throw CommandFailure("cannot read \(path): \(error.localizedDescription)")
        }
    }
}

/// The accountants a ledger entry may name, for offline recomputation.
enum LedgerAccountants {
    static var all: [LedgerAccountant] { [adapter(RDPAccountant()), adapter(try! PLDAccountant())] }

    /// A core accountant as the ledger uses it.
    static func adapter(_ accountant: some PrivacyAccountant) -> LedgerAccountant {
        LedgerAccountant(name: accountant.name, version: accountant.version) { mechanisms, delta in
            let rounds = try mechanisms.map {
                try PoissonSubsampledGaussian(samplingRate: $0.samplingRate, noiseMultiplier: $0.noiseMultiplier, steps: $0.steps)
            }
            return try accountant.guarantee(for: PrivacyEvent(rounds), delta: delta).epsilon
        }
    }
}

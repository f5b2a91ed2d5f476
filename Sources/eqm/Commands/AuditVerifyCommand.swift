import ArgumentParser
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify DP budget ledgers and the audit trail, from exports or from a running coordinator.",
        discussion: """
            Checks every hash link, every signed checkpoint (against --public-key, the coordinator's Ed25519 key), \
            and for a ledger recomputes every entry's ε from the mechanisms recorded before it, independently of the \
            stored totals. Exits non-zero on any tamper or mismatch, naming each entry. \
            With --coordinator URL and an auditor token (--token or EQM_TOKEN), fetches every campaign's ledger (or \
            --campaign's) and the audit trail and verifies them the same way, here, without trusting the coordinator's totals.
            """
    )

    @Option(help: "A ledger export (JSON, as the coordinator exports it).") var ledger: String?
    @Option(help: "An audit-trail export (JSON).") var trail: String?
    @Option(help: "The coordinator's Ed25519 public key (64 hex characters). Without it only consistency is checked.")
    var publicKey: String?
    @Option(help: "A running coordinator's URL, e.g. http://127.0.0.1:8740.") var coordinator: String?
    @Option(help: "An auditor (or admin) API token for --coordinator; default: EQM_TOKEN.") var token: String?
    @Option(help: "With --coordinator: only this campaign's ledger.") var campaign: String?
    @Flag(help: "Print one JSON object.") var json = false

    struct Output: Encodable {
        var ok: Bool
        var ledger: LedgerVerifier.Report?
        var ledgers: [String: LedgerVerifier.Report]?
        var trail: TrailReport?
        var signer_checked: Bool
    }

    struct TrailReport: Encodable {
        var entries: Int, checkpoints: Int, problems: [ChainProblem]
    }

    func validate() throws {
        guard ledger != nil || trail != nil || coordinator != nil else {
            throw ValidationError("give --ledger FILE, --trail FILE, or --coordinator URL")
        }
        if coordinator != nil && (ledger != nil || trail != nil) {
            throw ValidationError("--coordinator verifies what it fetches; do not combine it with --ledger or --trail files")
        }
    }

    func run() async throws {
        let key: PublicKey?
        do { key = try publicKey.map(PublicKey.init(hex:)) } catch { throw CommandFailure("--public-key: \(error.message)") }
        var output = Output(ok: true, ledger: nil, trail: nil, signer_checked: key != nil)
        var trailExport: ChainExport?
        if let ledger {
            let export = try read(ledger)
            let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(export, publicKey: key)
            output.ledger = report
            output.ok = output.ok && report.ok
        }
        if let trail { trailExport = try read(trail) }
        if let coordinator {
            let fetched = try await RemoteAudit.fetch(
                coordinator: coordinator, token: token ?? ProcessInfo.processInfo.environment["EQM_TOKEN"], campaign: campaign)
            var reports: [String: LedgerVerifier.Report] = [:]
            for (campaign, export) in fetched.ledgers {
                let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(export, publicKey: key)
                reports[campaign] = report
                output.ok = output.ok && report.ok
            }
            output.ledgers = reports
            trailExport = fetched.trail
        }
        if let export = trailExport {
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
            for (campaign, report) in (output.ledgers ?? [:]).sorted(by: { $0.key < $1.key }) {
                print(
                    "ledger of campaign \(campaign): \(report.entries) entries (\(report.applied) applied, \(report.refused) refused), global ε = \(String(format: "%.4f", report.globalEpsilon)) at δ = \(report.delta): \(report.ok ? "verified" : "\(report.problems.count) problem(s)")"
                )
                for problem in report.problems { print("  entry \(problem.sequence): \(problem.message)") }
            }
            if let report = output.trail {
                print(
                    "audit trail \(trail ?? coordinator ?? ""): \(report.entries) entries, \(report.checkpoints) checkpoints: \(report.problems.isEmpty ? "verified" : "\(report.problems.count) problem(s)")"
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

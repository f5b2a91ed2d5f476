public import EQMCrypto
import Foundation

/// Verifies a ledger export independently of anything the coordinator computed: the chain and its
/// signatures, the header, and every entry's ε recomputed from the entries before it.
public struct LedgerVerifier {
    /// The outcome of a verification.
    public struct Report: Codable, Sendable {
        /// Entries checked (header excluded).
        public var entries: Int
        /// Applied and refused entries.
        public var applied: Int
        public var refused: Int
        /// The recomputed global ε after the last applied entry.
        public var globalEpsilon: Double
        /// δ.
        public var delta: Double
        /// Every discrepancy, naming its entry.
        public var problems: [ChainProblem]
        /// Whether the ledger verified.
        public var ok: Bool { problems.isEmpty }
    }

    /// Accountants by name, as entries name them.
    public var accountants: [String: LedgerAccountant]
    /// Relative tolerance between recorded and recomputed ε.
    public var tolerance: Double

    /// Creates a verifier.
    public init(accountants: [LedgerAccountant], tolerance: Double = 1e-6) {
        self.accountants = Dictionary(accountants.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.tolerance = tolerance
    }

    /// Verifies an export; `publicKey` is the coordinator's signing key (nil: signer taken from the checkpoints).
    public func verify(_ export: ChainExport, publicKey: PublicKey?) -> Report {
        var problems = PrivacyLedger.chain.verify(export.links, checkpoints: export.checkpoints, publicKey: publicKey)
        if export.chain != "ledger" {
            problems.append(
                ChainProblem(sequence: 0, kind: .mismatch, message: "the file holds a '\(export.chain)' chain, not a ledger"))
        }
        if export.checkpoints.isEmpty && !export.links.isEmpty {
            problems.append(
                ChainProblem(
                    sequence: export.links.count - 1, kind: .badCheckpoint, message: "the ledger has no signed checkpoint"))
        } else if let last = export.checkpoints.map(\.sequence).max(), let end = export.links.last?.sequence, last < end {
            problems.append(
                ChainProblem(
                    sequence: last + 1, kind: .badCheckpoint,
                    message: "entries \(last + 1)…\(end) are not covered by a signed checkpoint"))
        }
        guard let first = export.links.first,
            let header = try? JSONDecoder().decode(LedgerHeader.self, from: Data(first.payload.utf8)),
            header.format == "eqm-dp-ledger"
        else {
            problems.append(ChainProblem(sequence: 0, kind: .mismatch, message: "entry 0 is not a ledger header"))
            return Report(
                entries: max(0, export.links.count - 1), applied: 0, refused: 0, globalEpsilon: .nan, delta: .nan,
                problems: problems)
        }
        var mechanisms = [MechanismDescription]()
        var applied = 0, refused = 0
        var epsilon = 0.0
        for link in export.links.dropFirst() {
            guard let entry = try? JSONDecoder().decode(LedgerEntry.self, from: Data(link.payload.utf8)) else {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch, message: "entry \(link.sequence) is not a ledger entry"))
                continue
            }
            guard let accountant = accountants[entry.accountant] else {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch,
                        message:
                            "entry \(link.sequence) names accountant '\(entry.accountant)', which this verifier does not have"))
                continue
            }
            if entry.campaign != header.campaign {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch,
                        message: "entry \(link.sequence) belongs to campaign '\(entry.campaign)', not '\(header.campaign)'"))
            }
            if entry.dropped != entry.selected - entry.survived || entry.survived > entry.selected || entry.survived < 0 {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch,
                        message: "entry \(link.sequence) has inconsistent participant counts"))
            }
            let candidate = entry.status == "applied" ? mechanisms + [entry.mechanism] : mechanisms
            let recomputed: Double
            do { recomputed = try accountant.epsilon(candidate, header.delta) } catch {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch,
                        message: "entry \(link.sequence): ε cannot be recomputed: \(error)"))
                continue
            }
            if abs(recomputed - entry.globalEpsilon) > tolerance * max(1, abs(recomputed)) {
                problems.append(
                    ChainProblem(
                        sequence: link.sequence, kind: .mismatch,
                        message:
                            "entry \(link.sequence) records global ε = \(entry.globalEpsilon); recomputed from the entries it is \(recomputed)"
                    ))
            }
            if entry.status == "applied" {
                if recomputed > header.globalEpsilonCap * (1 + tolerance) {
                    problems.append(
                        ChainProblem(
                            sequence: link.sequence, kind: .mismatch,
                            message:
                                "entry \(link.sequence) was applied although global ε \(recomputed) exceeds the cap \(header.globalEpsilonCap)"
                        ))
                }
                mechanisms.append(entry.mechanism)
                applied += 1
                epsilon = recomputed
            } else {
                refused += 1
            }
        }
        return Report(
            entries: export.links.count - 1, applied: applied, refused: refused, globalEpsilon: epsilon, delta: header.delta,
            problems: problems)
    }
}

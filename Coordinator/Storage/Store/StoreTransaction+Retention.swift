public import EQMCompliance
import Foundation

/// Retention (GDPR Art. 5(1)(e)) over the coordinator's tables.
///
/// Categories:
/// - "masked_submissions": `round_messages` received before the cutoff, of rounds no longer running;
/// - "inactive_nodes": nodes last seen before the cutoff, with all their personal rows (as
///   ``deleteAll(about:)``); the count is the number of nodes;
/// - "evaluation_reports": `evaluations` received before the cutoff;
/// - "audit_trail", "dp_ledger": always 0. Chain rows are never deleted in place, because deleting
///   any link breaks verification of every later one; old chains are exported
///   (``ChainExport``), archived, and only then retired as a whole.
///
/// Any other category is an ``StorageError/Code/invalidArgument`` error, so a misspelt policy
/// fails loudly instead of silently keeping data.
extension StoreTransaction: RetentionStore {
    /// The categories ``deleteRecords(category:olderThan:)`` understands.
    public static let retentionCategories = [
        "masked_submissions", "inactive_nodes", "evaluation_reports", "audit_trail", "dp_ledger",
    ]

    public func deleteRecords(category: String, olderThan cutoff: Double) throws -> Int {
        switch category {
        case "masked_submissions":
            return try sql.execute(
                """
                DELETE FROM round_messages WHERE received < ? AND NOT EXISTS (
                    SELECT 1 FROM rounds WHERE rounds.campaign = round_messages.campaign
                    AND rounds.round = round_messages.round AND rounds.status = 'running')
                """,
                [.real(cutoff)])
        case "inactive_nodes":
            let lapsed = try sql.query("SELECT id FROM nodes WHERE last_seen < ? ORDER BY id", [.real(cutoff)])
            for row in lapsed { _ = try deleteAll(about: try row.string("id")) }
            return lapsed.count
        case "evaluation_reports":
            return try sql.execute("DELETE FROM evaluations WHERE received < ?", [.real(cutoff)])
        case "audit_trail", "dp_ledger":
            return 0
        default:
            throw StorageError(
                .invalidArgument,
                "unknown retention category '\(category.prefix(40))'; expected one of \(Self.retentionCategories.joined(separator: ", "))"
            )
        }
    }

    /// Records what a retention sweep did, at `time` (Unix seconds).
    public func insertRetentionRun(_ report: RetentionReport, at time: Double) throws {
        try sql.execute("INSERT INTO retention_runs (time, report) VALUES (?, ?)", [.real(time), .text(try Self.json(report))])
    }

    /// Every recorded sweep, oldest first.
    public func retentionRuns() throws -> [RetentionReport] {
        try sql.query("SELECT report FROM retention_runs ORDER BY time").map {
            try Self.decodeJSON(RetentionReport.self, try $0.string("report"), column: "report")
        }
    }
}

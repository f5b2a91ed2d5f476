public import Foundation

/// Enforces ``RetentionPolicy``s: each sweep deletes exactly the records older than their
/// category's maximum age, reports what it deleted, and records the deletions in the audit trail.
/// The coordinator runs it as a background service on a schedule.
public final class RetentionSweeper {
    /// The policies enforced.
    public let policies: [RetentionPolicy]
    private let store: any RetentionStore
    private let audit: AuditTrail?
    private let now: () -> Date

    /// Creates a sweeper; one policy per category.
    public init(
        policies: [RetentionPolicy], store: any RetentionStore, audit: AuditTrail? = nil,
        now: @escaping () -> Date = Date.init
    ) throws {
        let categories = policies.map(\.category)
        guard Set(categories).count == categories.count else {
            throw ComplianceError(.invalidInput, "retention policies name a category more than once")
        }
        self.policies = policies
        self.store = store
        self.audit = audit
        self.now = now
    }

    /// Runs one sweep.
    public func sweep() throws -> RetentionReport {
        let date = now()
        var deleted = [String: Int]()
        for policy in policies {
            let count = try store.deleteRecords(
                category: policy.category, olderThan: date.timeIntervalSince1970 - policy.maximumAge)
            deleted[policy.category] = count
            if count > 0 {
                try audit?.record(
                    AuditEvent(
                        time: AuditTrail.timestamp(date), actor: "system:retention", action: .retentionDeletion,
                        details: ["category": policy.category, "deleted": String(count)]))
            }
        }
        return RetentionReport(time: AuditTrail.timestamp(date), deleted: deleted)
    }
}

/// How long one category of data may be kept (GDPR Art. 5(1)(e), storage limitation).
public struct RetentionPolicy: Codable, Sendable, Hashable {
    /// The data category, as the stores name it (e.g. "masked_submissions", "audit_trail", "inactive_nodes").
    public var category: String
    /// Maximum age in seconds; 0 means delete as soon as the sweeper runs.
    public var maximumAge: Double
    /// Why this period (shown in the records of processing).
    public var rationale: String

    /// Creates a policy, refusing negative or non-finite ages.
    public init(category: String, maximumAge: Double, rationale: String) throws {
        guard maximumAge >= 0, maximumAge.isFinite, !category.isEmpty else {
            throw ComplianceError(
                .invalidInput,
                "a retention policy needs a category and a non-negative age, found '\(category)' and \(maximumAge) s")
        }
        self.category = category
        self.maximumAge = maximumAge
        self.rationale = rationale
    }

    static let day = 86_400.0

    /// The defaults: masked submissions deleted right after aggregation, inactive nodes after 365
    /// days, the audit trail and DP ledger kept 6 years (evidence for supervisory authorities).
    public static let defaults: [RetentionPolicy] = [
        try! RetentionPolicy(
            category: "masked_submissions", maximumAge: 0, rationale: "only needed until the round is aggregated"),
        try! RetentionPolicy(
            category: "inactive_nodes", maximumAge: 365 * day, rationale: "enrolment of nodes not seen for a year lapses"),
        try! RetentionPolicy(category: "audit_trail", maximumAge: 6 * 365 * day, rationale: "evidence of lawful processing"),
        try! RetentionPolicy(category: "dp_ledger", maximumAge: 6 * 365 * day, rationale: "evidence of the privacy guarantee"),
    ]
}

/// Deletion of expired data, implemented by each store.
public protocol RetentionStore {
    /// Deletes records of `category` created before `cutoff` (Unix seconds); returns how many.
    func deleteRecords(category: String, olderThan cutoff: Double) throws -> Int
}

/// What one sweep deleted.
public struct RetentionReport: Codable, Sendable, Hashable {
    /// When the sweep ran (ISO-8601).
    public var time: String
    /// Records deleted per category.
    public var deleted: [String: Int]
}

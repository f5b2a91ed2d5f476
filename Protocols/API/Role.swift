/// The roles an API token can carry. Each endpoint declares the roles it admits.
public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
    /// Everything, including token management.
    case admin
    /// Runs campaigns and the model registry.
    case `operator`
    /// Reads the DP ledger and audit trail; nothing personal.
    case auditor
    /// Pulls released models.
    case developer
    /// An enrolled client node.
    case node
}

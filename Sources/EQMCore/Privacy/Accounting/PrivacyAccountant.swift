/// Computes the (ε, δ) guarantee of composed Poisson-subsampled Gaussian rounds.
///
/// Every implementation returns an upper bound on the smallest ε the mechanism satisfies at δ
/// (add/remove-one adjacency), so a reported ε is always safe to publish. ``RDPAccountant`` is fast
/// and analytic; ``PLDAccountant`` is tighter (its ε is close to the true one) and slower. The DP
/// ledger records ``name`` and ``version`` with every entry, so an auditor knows which algorithm,
/// with which parameters, produced each ε.
public protocol PrivacyAccountant: Sendable {
    /// A short stable identifier: "rdp" or "pld".
    var name: String { get }
    /// The algorithm's version and parameters, e.g. "1.0.0 orders=dp-accounting-0.6.0".
    var version: String { get }
    /// The guarantee of `event` at `delta` (in (0, 1)).
    func guarantee(for event: PrivacyEvent, delta: Double) throws(EQMCoreError) -> PrivacyGuarantee
}

extension PrivacyAccountant {
    /// Checks δ ∈ (0, 1), the range every accountant accepts.
    static func validate(delta: Double) throws(EQMCoreError) {
        guard delta > 0, delta < 1 else { throw .invalidConfiguration("delta must be in (0, 1), found \(delta)") }
    }
}

public import EQMCrypto

/// Who may take part in the next round, and the Poisson sample of them: the one place where
/// consent and the per-user budget cap gate processing.
public enum ParticipantSelection {
    /// The candidates with current training consent whose own ε stays under the cap after one more
    /// round like `next`. Withdrawal is therefore effective at the very next selection.
    public static func eligible(
        _ candidates: [String], consent: ConsentRegistry, ledger: PrivacyLedger?,
        next: MechanismDescription
    ) throws -> [String] {
        try candidates.filter { subject in
            guard try consent.hasConsent(subject: subject, purpose: .training) else { return false }
            return try ledger?.isEligible(subject, next: next) ?? true
        }
    }

    /// Poisson sampling: each eligible participant is selected independently with probability
    /// `rate`, using libsodium's randomness (the amplification-by-sampling analysis assumes it).
    public static func poissonSample(_ eligible: [String], rate: Double) -> [String] {
        precondition(rate >= 0 && rate <= 1, "sampling rate must be in [0, 1]")
        var generator = SecureRandomGenerator()
        // 53-bit uniforms, compared with the rate.
        return eligible.filter { _ in (Double(generator.next() >> 11) + 0.5) * 0x1p-53 < rate }
    }
}

public import EQMCore

/// The accountants a ledger entry may name: the core's RDP and PLD accountants as the ledger
/// uses them, for the coordinator (which records with RDP) and for offline recomputation.
public enum LedgerAccountants {
    /// RDP (Mironov, Talwar and Zhang 2019), the accountant the coordinator records with.
    public static var rdp: LedgerAccountant { adapter(RDPAccountant()) }

    /// Every accountant a verifier can recompute with.
    public static var all: [LedgerAccountant] { [rdp, adapter(try! PLDAccountant())] }

    /// A core accountant as the ledger uses it.
    public static func adapter(_ accountant: some PrivacyAccountant & Sendable) -> LedgerAccountant {
        LedgerAccountant(name: accountant.name, version: accountant.version) { mechanisms, delta in
            let rounds = try mechanisms.map {
                try PoissonSubsampledGaussian(samplingRate: $0.samplingRate, noiseMultiplier: $0.noiseMultiplier, steps: $0.steps)
            }
            return try accountant.guarantee(for: PrivacyEvent(rounds), delta: delta).epsilon
        }
    }
}

/// The ledger's first entry: what every later entry is measured against.
public struct LedgerHeader: Codable, Sendable, Hashable {
    /// Always "eqm-dp-ledger".
    public var format: String
    /// Format version (1).
    public var version: Int
    /// The campaign the ledger accounts for.
    public var campaign: String
    /// The unit of privacy, in words: whose presence or absence (ε, δ) bounds.
    public var privacyUnit: String
    /// δ of every reported ε.
    public var delta: Double
    /// The per-user ε cap: a user at it is no longer selected.
    public var perUserEpsilonCap: Double
    /// The global ε cap: reaching it stops the campaign.
    public var globalEpsilonCap: Double

    /// Creates a header for user-level DP (add or remove one participant's whole contribution).
    public init(campaign: String, delta: Double, perUserEpsilonCap: Double, globalEpsilonCap: Double) throws {
        guard delta > 0 && delta < 1, perUserEpsilonCap > 0, globalEpsilonCap > 0 else {
            throw ComplianceError(
                .invalidInput,
                "a ledger needs δ in (0, 1) and positive caps, found δ = \(delta), caps \(perUserEpsilonCap) and \(globalEpsilonCap)"
            )
        }
        format = "eqm-dp-ledger"
        version = 1
        self.campaign = campaign
        privacyUnit = "user-level: adding or removing one participant's entire contribution (all their data, every round)"
        self.delta = delta
        self.perUserEpsilonCap = perUserEpsilonCap
        self.globalEpsilonCap = globalEpsilonCap
    }
}

/// A machine-readable description of one round's mechanism, enough to recompute its privacy cost
/// with any accountant library.
public struct MechanismDescription: Codable, Sendable, Hashable {
    /// "poisson_subsampled_gaussian".
    public var mechanism: String
    /// "poisson": each eligible participant selected independently with `samplingRate`.
    public var sampling: String
    /// q.
    public var samplingRate: Double
    /// σ actually achieved (after dropouts and quantisation): noise standard deviation / clip norm.
    public var noiseMultiplier: Double
    /// Compositions of the mechanism in this entry (1 per round).
    public var steps: Int
    /// The L2 clip norm C of each participant's update.
    public var clipNorm: Double
    /// Whether updates were securely aggregated.
    public var secureAggregation: Bool
    /// "distributed" (noise shared among survivors inside secure aggregation) or "local" (each node adds all of it).
    public var mode: String

    /// Creates a description of a Poisson-subsampled Gaussian round.
    public init(
        samplingRate: Double, noiseMultiplier: Double, steps: Int = 1, clipNorm: Double, secureAggregation: Bool, mode: String
    ) {
        mechanism = "poisson_subsampled_gaussian"
        sampling = "poisson"
        self.samplingRate = samplingRate
        self.noiseMultiplier = noiseMultiplier
        self.steps = steps
        self.clipNorm = clipNorm
        self.secureAggregation = secureAggregation
        self.mode = mode
    }
}

/// One round's spend, or a refused spend. Holds no personal data: participants are counted, not named.
public struct LedgerEntry: Codable, Sendable, Hashable {
    /// "applied" or "refused".
    public var status: String
    /// Why a spend was refused.
    public var refusal: String?
    /// The campaign.
    public var campaign: String
    /// The round number.
    public var round: Int
    /// The mechanism.
    public var mechanism: MechanismDescription
    /// Participants selected, who completed, who dropped out.
    public var selected: Int
    public var survived: Int
    public var dropped: Int
    /// The model version the round produced, if any.
    public var modelVersion: String?
    /// When (ISO-8601).
    public var time: String
    /// The accountant that computed `globalEpsilon`, and its version.
    public var accountant: String
    public var accountantVersion: String
    /// The campaign's global ε at the header's δ after this entry, as computed when recorded.
    public var globalEpsilon: Double
}

public import EQMCrypto
public import Foundation

/// Computes ε at δ for a sequence of Poisson-subsampled Gaussian mechanisms (an adapter over the
/// core's accountants, so the ledger names exactly which one it used).
public struct LedgerAccountant: Sendable {
    /// The accountant's name ("rdp", "pld").
    public var name: String
    /// Its version (recorded with every entry).
    public var version: String
    /// ε at δ for the composition of the mechanisms.
    public var epsilon: @Sendable (_ mechanisms: [MechanismDescription], _ delta: Double) throws -> Double

    /// Creates an adapter.
    public init(name: String, version: String, epsilon: @escaping @Sendable ([MechanismDescription], Double) throws -> Double) {
        self.name = name
        self.version = version
        self.epsilon = epsilon
    }
}

/// Which rounds each participant took part in (erasable personal data, kept apart from the ledger).
public protocol ParticipationStore {
    /// Records that `subject` contributed to `round`.
    func recordParticipation(subject: String, campaign: String, round: Int) throws
    /// The rounds `subject` contributed to.
    func rounds(of subject: String, campaign: String) throws -> [Int]
}

/// The DP budget ledger of one campaign: an append-only hash chain (header first, then one entry
/// per round, applied or refused) with signed checkpoints; the global ε is recomputed from the
/// entries, each user's ε from the rounds they took part in; caps are enforced here.
public final class PrivacyLedger {
    /// The chain's name in hashes and signatures.
    public static let chain = HashChain(name: "ledger")

    /// The header.
    public let header: LedgerHeader
    private let store: any ChainStore
    private let participation: any ParticipationStore
    private let accountant: LedgerAccountant
    private let signer: SigningKey
    private let now: () -> Date
    private var applied: [LedgerEntry]

    /// Opens the ledger in `store`, writing `header` first when the store is empty; an existing
    /// ledger keeps its own header (and must have been written by a compatible format).
    public init(
        store: any ChainStore, header: LedgerHeader, participation: any ParticipationStore, accountant: LedgerAccountant,
        signer: SigningKey, now: @escaping () -> Date = Date.init
    ) throws {
        self.store = store
        self.participation = participation
        self.accountant = accountant
        self.signer = signer
        self.now = now
        let links = try store.links(from: 0)
        if let first = links.first {
            self.header = try JSONDecoder().decode(LedgerHeader.self, from: Data(first.payload.utf8))
            self.applied = try links.dropFirst().map { try JSONDecoder().decode(LedgerEntry.self, from: Data($0.payload.utf8)) }
                .filter { $0.status == "applied" }
        } else {
            self.header = header
            self.applied = []
            try store.append(Self.chain.link(after: nil, payload: try HashChain.canonicalJSON(header)))
        }
    }

    /// The campaign's current global ε at the header's δ.
    public func globalEpsilon() throws -> Double {
        try accountant.epsilon(applied.map(\.mechanism), header.delta)
    }

    /// A user's own ε: the rounds they took part in, each without amplification by sampling (the
    /// coordinator knows who was selected, so sampling hides nothing from it).
    public func userEpsilon(_ subject: String) throws -> Double {
        let rounds = Set(try participation.rounds(of: subject, campaign: header.campaign))
        let mechanisms = applied.filter { rounds.contains($0.round) }.map { entry -> MechanismDescription in
            var unamplified = entry.mechanism
            unamplified.samplingRate = 1
            return unamplified
        }
        return mechanisms.isEmpty ? 0 : try accountant.epsilon(mechanisms, header.delta)
    }

    /// Whether a user may still be selected: under the per-user cap even after one more round like `next`.
    public func isEligible(_ subject: String, next: MechanismDescription) throws -> Bool {
        let rounds = Set(try participation.rounds(of: subject, campaign: header.campaign))
        var mechanisms = applied.filter { rounds.contains($0.round) }.map(\.mechanism)
        mechanisms.append(next)
        for index in mechanisms.indices { mechanisms[index].samplingRate = 1 }
        return try accountant.epsilon(mechanisms, header.delta) <= header.perUserEpsilonCap
    }

    /// Records a round. If it would take the global ε past its cap, a refused entry is recorded
    /// instead and ``ComplianceError/Code/budgetExhausted`` is thrown: the caller must not release
    /// the round's model.
    @discardableResult
    public func record(
        round: Int, mechanism: MechanismDescription, selected: Int, survived: Int, participants: [String],
        modelVersion: String?
    ) throws -> LedgerEntry {
        let epsilon = try accountant.epsilon(applied.map(\.mechanism) + [mechanism], header.delta)
        var entry = LedgerEntry(
            status: "applied", refusal: nil, campaign: header.campaign, round: round, mechanism: mechanism,
            selected: selected, survived: survived, dropped: selected - survived, modelVersion: modelVersion,
            time: AuditTrail.timestamp(now()), accountant: accountant.name, accountantVersion: accountant.version,
            globalEpsilon: epsilon)
        if epsilon > header.globalEpsilonCap {
            entry.status = "refused"
            entry.refusal = "global ε would reach \(epsilon), above the cap \(header.globalEpsilonCap)"
            entry.modelVersion = nil
            entry.globalEpsilon = try globalEpsilon()
            try append(entry)
            throw ComplianceError(.budgetExhausted, entry.refusal!)
        }
        try append(entry)
        applied.append(entry)
        for subject in participants {
            try participation.recordParticipation(subject: subject, campaign: header.campaign, round: round)
        }
        return entry
    }

    /// Signs a checkpoint over the ledger's last entry.
    public func checkpoint() throws {
        guard let last = try store.lastLink() else { return }
        try store.appendCheckpoint(Self.chain.checkpoint(last, time: AuditTrail.timestamp(now()), key: signer))
    }

    private func append(_ entry: LedgerEntry) throws {
        try store.append(Self.chain.link(after: try store.lastLink(), payload: try HashChain.canonicalJSON(entry)))
        try checkpoint()
    }
}

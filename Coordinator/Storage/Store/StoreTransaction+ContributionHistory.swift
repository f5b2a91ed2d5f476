public import EQMCompliance
import EQMCore
import Foundation

/// What the training history says about a subject, from `participation`, `rounds`,
/// `model_versions` and the campaigns' DP ledgers (chains named `ledger:CAMPAIGN`).
extension StoreTransaction: ContributionHistory {
    /// The chain name of a campaign's DP ledger.
    public static func ledgerChain(campaign: String) -> String { "ledger:\(campaign)" }

    /// Model versions produced by rounds the subject took part in, oldest first (by creation time).
    public func modelVersions(contributedToBy subject: String) throws -> [String] {
        try sql.query(
            """
            SELECT model_versions.id FROM model_versions JOIN participation
                ON participation.campaign = model_versions.campaign AND participation.round = model_versions.round
            WHERE participation.subject = ? ORDER BY model_versions.created, model_versions.id
            """,
            [.text(subject)]
        ).map { try $0.string("id") }
    }

    /// The (ε, δ) bound on everything the subject contributed, across campaigns.
    ///
    /// The subject's applied ledger rounds are composed without amplification by sampling (the
    /// coordinator knows who was selected), as ``PrivacyLedger/userEpsilon(_:)`` does, with the
    /// RDP accountant, which upper-bounds ε whichever accountant the ledger used. δ is the
    /// smallest δ of the ledgers concerned. Nil when the subject took part in no applied round.
    public func privacyBound(for subject: String) throws -> ErasureCertificate.PrivacyBound? {
        let campaigns = try sql.query(
            "SELECT DISTINCT campaign FROM participation WHERE subject = ? ORDER BY campaign", [.text(subject)]
        ).map { try $0.string("campaign") }
        var rounds = [PoissonSubsampledGaussian]()
        var delta: Double?
        for campaign in campaigns {
            let links = try chain(Self.ledgerChain(campaign: campaign)).links(from: 0)
            guard let first = links.first else { continue }
            let header = try Self.decodeJSON(LedgerHeader.self, first.payload, column: "payload")
            let taken = Set(try self.rounds(of: subject, campaign: campaign))
            for link in links.dropFirst() {
                let entry = try Self.decodeJSON(LedgerEntry.self, link.payload, column: "payload")
                guard entry.status == "applied", taken.contains(entry.round) else { continue }
                do {
                    rounds.append(
                        try PoissonSubsampledGaussian(
                            samplingRate: 1, noiseMultiplier: entry.mechanism.noiseMultiplier, steps: entry.mechanism.steps))
                } catch {
                    throw StorageError(
                        .decodingFailed,
                        "ledger entry \(link.sequence) of campaign \(campaign) has an invalid mechanism: \(error)")
                }
                delta = min(delta ?? header.delta, header.delta)
            }
        }
        guard let delta, !rounds.isEmpty else { return nil }
        let accountant = RDPAccountant()
        do {
            let guarantee = try accountant.guarantee(for: PrivacyEvent(rounds), delta: delta)
            return ErasureCertificate.PrivacyBound(epsilon: guarantee.epsilon, delta: delta, accountant: accountant.name)
        } catch {
            throw StorageError(.statementFailed, "the privacy bound could not be computed: \(error)")
        }
    }

    /// The last model version (not rolled back) of the campaign of the subject's earliest round,
    /// produced before that round (or by no round at all): the version to retrain from.
    public func lastVersion(before subject: String) throws -> String? {
        guard
            let first = try sql.first(
                """
                SELECT participation.campaign, participation.round FROM participation LEFT JOIN rounds
                    ON rounds.campaign = participation.campaign AND rounds.round = participation.round
                WHERE participation.subject = ?
                ORDER BY rounds.started, participation.campaign, participation.round LIMIT 1
                """,
                [.text(subject)])
        else { return nil }
        return try sql.first(
            """
            SELECT id FROM model_versions
            WHERE campaign = ? AND status <> 'rolled_back' AND (round IS NULL OR round < ?)
            ORDER BY version DESC LIMIT 1
            """,
            [.text(try first.string("campaign")), .int(try first.int("round"))]
        )?.string("id")
    }
}

import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
public import EQMStorage
import Foundation
import HTTPTypes
import Logging

extension Coordinator {
    /// Signs and stores a model version inside the caller's transaction (so a version is never
    /// released without its ledger entry and round commit).
    func releaseModel(
        _ tx: StoreTransaction, campaign: String, configuration: CampaignConfiguration, model bytes: [UInt8], version: Int,
        parent: String?, round: Int?, participants: Int, epsilon: Double?, rounds: Int, achievedNoiseMultiplier: Double?
    ) throws -> ModelVersionRecord {
        let accountant = LedgerAccountants.rdp
        let created = now()
        let card = try ModelCard(
            campaign: campaign, version: version, parent: parent, round: round, created: Date(timeIntervalSince1970: created),
            model: bytes, participants: participants,
            privacy: ModelCard.Privacy(
                epsilon: configuration.privacyMode == .none ? nil : epsilon, delta: configuration.delta,
                accountant: accountant.name, accountantVersion: accountant.version,
                mode: configuration.privacyMode, noiseMultiplier: achievedNoiseMultiplier ?? configuration.noiseMultiplier,
                clipNorm: configuration.clipNorm, rounds: rounds),
            serverOptimizer: configuration.serverOptimizer.description, coordinatorKey: identity.publicKey)
        let signed = try SignedModel.sign(card: card, model: bytes, key: identity.signingKey)
        let record = ModelVersionRecord(
            id: card.id, campaign: campaign, version: version, parent: parent, round: round, created: created, model: bytes,
            card: signed.cardJSON, signature: signed.signature.hexString, status: "released")
        try tx.insertModelVersion(record)
        try audit(
            tx, actor: "system:registry", action: .modelReleased,
            details: ["model_version": card.id, "epsilon": epsilon.map { String($0) } ?? "none", "digest": card.modelDigest])
        return record
    }

    /// A version by number or `latest` (the version served to everyone, or to the caller's A/B cohort).
    func modelVersion(campaign: String, version: String, cohort: String?) async throws -> ModelVersionRecord {
        let found = try await read { tx -> ModelVersionRecord? in
            guard try tx.campaign(id: campaign) != nil else { return nil }
            if version == "latest" { return try tx.latestModelVersion(campaign: campaign, cohort: cohort) }
            guard let number = Int(version), number >= 0 else {
                throw CoordinatorError(.invalidRequest, "version must be a non-negative integer or 'latest'")
            }
            return try tx.modelVersion(id: ModelCard.id(campaign: campaign, version: number))
        }
        guard let found else { throw CoordinatorError(.notFound, "no model version '\(version)' in campaign '\(campaign)'") }
        return found
    }

    /// Marks a version promoted (served as `latest`, to one cohort or everyone) or rolled back.
    func setModelStatus(campaign: String, version: String, status: String, cohort: String?, by principal: Principal?) async throws
        -> ModelVersionRecord
    {
        if let cohort, !["a", "b"].contains(cohort) { throw CoordinatorError(.invalidRequest, "cohort must be 'a' or 'b'") }
        let record = try await modelVersion(campaign: campaign, version: version, cohort: nil)
        try await write { tx in
            _ = try tx.updateModelStatus(id: record.id, status: status, cohort: cohort)
            try self.audit(
                tx, actor: "token:\(principal?.tokenID ?? "-")", action: AuditEvent.Action(rawValue: "model_\(status)"),
                details: ["model_version": record.id, "cohort": cohort ?? "all"])
        }
        events.publish(CoordinatorEvent(type: "model.\(status)", campaign: campaign, modelVersion: record.id))
        return try await modelVersion(campaign: campaign, version: String(record.version), cohort: nil)
    }
}

extension ModelVersionRecord {
    var summary: ModelSummary {
        ModelSummary(id: id, version: version, parent: parent, round: round, created: created, status: status, cohort: cohort)
    }
}

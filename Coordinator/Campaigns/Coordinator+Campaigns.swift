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
    /// Creates a campaign and releases its initial model version (v0, randomly initialised).
    func createCampaign(_ requested: CampaignConfiguration, by principal: Principal?) async throws -> CampaignView {
        try requested.validate()
        var calibrated = requested
        if let target = requested.targetEpsilon {
            // User-level: one step per round at the sampling rate, over the campaign's rounds.
            do {
                calibrated.noiseMultiplier = try RDPAccountant().calibrateNoise(
                    targetEpsilon: target, delta: requested.delta, samplingRate: requested.samplingRate,
                    steps: requested.maximumRounds
                ).noiseMultiplier
            } catch {
                throw CoordinatorError(.invalidRequest, "target_epsilon cannot be met: \(error.message)")
            }
        }
        let configuration = calibrated
        let spec = try configuration.modelSpec()
        let model: SequentialModel
        do { model = try SequentialModel(spec: spec, seed: SecureRandom.uint64()) } catch {
            throw CoordinatorError(.invalidRequest, error.message)
        }
        let id = "c" + SecureRandom.bytes(count: 4).hexString
        let now = now()
        let stored = try configuration.encoded()
        let modelBytes = ModelFile.encode(model)
        try await write { tx in
            try tx.insertCampaign(
                CampaignRecord(id: id, name: configuration.name, configuration: stored, status: "active", created: now))
            _ = try self.ledger(tx, campaign: id, configuration: configuration)
            _ = try self.releaseModel(
                tx, campaign: id, configuration: configuration, model: modelBytes, version: 0, parent: nil, round: nil,
                participants: 0,
                epsilon: 0, rounds: 0, achievedNoiseMultiplier: nil)
            try self.audit(
                tx, actor: "token:\(principal?.tokenID ?? "-")", action: AuditEvent.Action(rawValue: "campaign_created"),
                details: ["campaign": id, "model": configuration.model, "privacy_mode": configuration.privacyMode.rawValue])
        }
        logger.info("campaign created", metadata: ["campaign": "\(id)", "name": "\(configuration.name)"])
        return try await campaignView(id)
    }

    /// A campaign with its privacy spend.
    func campaignView(_ id: String) async throws -> CampaignView {
        guard let view = try await read({ tx in try self.campaignView(tx, id) }) else {
            throw CoordinatorError(.notFound, "no campaign '\(id)'")
        }
        return view
    }

    func campaignView(_ tx: StoreTransaction, _ id: String) throws -> CampaignView? {
        guard let record = try tx.campaign(id: id) else { return nil }
        let configuration = try CampaignConfiguration.decode(record.configuration)
        let ledger = try self.ledger(tx, campaign: id, configuration: configuration)
        let committed = try tx.rounds(campaign: id).filter { $0.kind == "training" && $0.status == "committed" }.count
        return CampaignView(
            id: id, name: record.name, status: record.status, reason: record.reason, created: record.created,
            configuration: configuration, roundsCommitted: committed, epsilon: try ledger.globalEpsilon(),
            delta: configuration.delta,
            latestVersion: try tx.latestModelVersion(campaign: id, cohort: nil)?.id)
    }

    /// Pauses, resumes or stops a campaign.
    func setCampaignStatus(_ id: String, status: String, by principal: Principal?) async throws -> CampaignView {
        guard ["active", "paused", "stopped"].contains(status) else {
            throw CoordinatorError(.invalidRequest, "status must be active, paused or stopped")
        }
        let found = try await write { tx -> Bool in
            guard let record = try tx.campaign(id: id) else { return false }
            guard record.status != "stopped" && record.status != "finished" || status == record.status else {
                throw CoordinatorError(.conflict, "campaign '\(id)' is \(record.status) and cannot change status")
            }
            _ = try tx.updateCampaign(id: id, status: status, reason: status == "stopped" ? "stopped by an operator" : nil)
            try self.audit(
                tx, actor: "token:\(principal?.tokenID ?? "-")", action: AuditEvent.Action(rawValue: "campaign_status"),
                details: ["campaign": id, "status": status])
            return true
        }
        guard found else { throw CoordinatorError(.notFound, "no campaign '\(id)'") }
        events.publish(CoordinatorEvent(type: "campaign.\(status)", campaign: id, time: now()))
        return try await campaignView(id)
    }
}

import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
import Logging
import Prometheus

extension RoundDriver {
    /// Applies the unmasked sum and commits the round in one transaction: the DP ledger entry,
    /// the new signed model version, the optimiser state, the round status, the participation
    /// records, the audit events, and the deletion of the masked submissions. If the ledger
    /// refuses the spend (global cap), the refused entry is committed instead of a model and the
    /// campaign stops.
    func commit(_ record: RoundRecord, result: AggregationResult, configuration: CampaignConfiguration) async throws {
        let coordinator = self.coordinator
        guard let json = record.configuration, let baseID = record.baseVersion else {
            throw CoordinatorError(.internal, "round \(record.round) lacks its configuration")
        }
        let secagg = try JSONDecoder().decode(RoundConfiguration.self, from: Data(json.utf8))
        let survivors = result.survivors.count
        let sum = try secagg.encoding.decode(sum: result.sum)
        let delta = sum.map { Float($0 / Double(survivors)) }
        let campaign = record.campaign

        // The new parameters, computed outside the transaction.
        let (base, state) = try await coordinator.read { tx in
            (try tx.modelVersion(id: baseID), try tx.setting("optimizer:\(campaign)"))
        }
        guard let base else { throw CoordinatorError(.internal, "base model \(baseID) is missing") }
        let model = try ModelFile.decode(base.model).model
        var parameters = model.parameterVector()
        var optimizer: ServerOptimizer
        if let state, let encoded = Data(base64Encoded: state) {
            optimizer = try ServerOptimizer(
                configuration: configuration.serverOptimizer, dimension: parameters.count, encodedState: [UInt8](encoded))
        } else {
            optimizer = try ServerOptimizer(configuration: configuration.serverOptimizer, dimension: parameters.count)
        }
        try optimizer.apply(delta: delta, to: &parameters)
        try model.setParameterVector(parameters)
        let modelBytes = ModelFile.encode(model)
        let encodedState = Data(optimizer.encodedState()).base64EncodedString()

        let survivorIDs = result.survivors.map { record.participants[$0] }
        let mechanism = Self.mechanism(configuration, noiseMultiplier: result.privacy.achievedNoiseMultiplier)
        let now = coordinator.now()
        let outcome = try await coordinator.write { tx -> (LedgerEntry?, ModelVersionRecord?, String?) in
            let ledger = try coordinator.ledger(tx, campaign: campaign, configuration: configuration)
            let version = (try tx.modelVersions(campaign: campaign).map(\.version).max() ?? 0) + 1
            let id = "\(campaign)/v\(version)"
            var finished = record
            finished.stage = 4
            finished.finished = now
            var entry: LedgerEntry?
            if configuration.privacyMode == .none {
                // No DP claim, so no ledger entry (ε would be unbounded); participation is still
                // recorded, for erasure certificates.
                for subject in survivorIDs {
                    try tx.recordParticipation(subject: subject, campaign: campaign, round: record.round)
                }
            } else {
                do {
                    entry = try ledger.record(
                        round: record.round, mechanism: mechanism, selected: record.participants.count, survived: survivors,
                        participants: survivorIDs, modelVersion: id)
                } catch let error as ComplianceError where error.code == .budgetExhausted {
                    finished.status = "refused"
                    finished.reason = error.message
                    _ = try tx.updateRound(finished)
                    _ = try tx.updateCampaign(
                        id: campaign, status: "stopped", reason: "privacy budget exhausted: \(error.message)")
                    _ = try tx.deleteRoundMessages(campaign: campaign, round: record.round)
                    _ = try tx.deleteRoundOutputs(campaign: campaign, round: record.round)
                    try coordinator.audit(
                        tx, actor: "system:rounds", action: .roundCompleted,
                        details: ["campaign": campaign, "round": String(record.round), "status": "refused"])
                    return (nil, nil, error.message)
                }
            }
            let release = try coordinator.releaseModel(
                tx, campaign: campaign, configuration: configuration, model: modelBytes, version: version, parent: baseID,
                round: record.round, participants: survivors, epsilon: entry?.globalEpsilon,
                rounds: try tx.rounds(campaign: campaign).filter { $0.kind == "training" && $0.status == "committed" }.count + 1,
                achievedNoiseMultiplier: result.privacy.achievedNoiseMultiplier)
            try tx.setSetting("optimizer:\(campaign)", encodedState)
            finished.status = "committed"
            _ = try tx.updateRound(finished)
            _ = try tx.deleteRoundMessages(campaign: campaign, round: record.round)
            _ = try tx.deleteRoundOutputs(campaign: campaign, round: record.round)
            try coordinator.audit(
                tx, actor: "system:rounds", action: .roundCompleted,
                details: [
                    "campaign": campaign, "round": String(record.round), "selected": String(record.participants.count),
                    "survived": String(survivors), "epsilon": entry.map { String($0.globalEpsilon) } ?? "none",
                    "model_version": id,
                ])
            return (entry, release, nil)
        }
        switch outcome {
        case (let entry, let release?, _):
            coordinator.metrics.roundsCommitted.increment()
            coordinator.metrics.dropouts.increment(by: Int64(record.participants.count - survivors))
            if let entry { coordinator.metrics.epsilonSpent.set(entry.globalEpsilon) }
            coordinator.events.publish(
                CoordinatorEvent(type: "round.committed", campaign: campaign, round: record.round, modelVersion: release.id))
            coordinator.events.publish(
                CoordinatorEvent(type: "model.released", campaign: campaign, round: record.round, modelVersion: release.id))
            coordinator.logger.info(
                "round committed",
                metadata: [
                    "campaign": "\(campaign)", "round": "\(record.round)",
                    "survived": "\(survivors)/\(record.participants.count)",
                    "epsilon": "\(entry?.globalEpsilon ?? .infinity)", "model": "\(release.id)",
                ])
        default:
            coordinator.events.publish(
                CoordinatorEvent(type: "campaign.stopped", campaign: campaign, round: record.round, reason: outcome.2))
            coordinator.logger.notice(
                "round refused by the privacy budget; campaign stopped", metadata: ["campaign": "\(campaign)"])
        }
    }
}

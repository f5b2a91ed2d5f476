import EQMAPI
import EQMCompliance
import EQMCore
import EQMStorage
import Foundation
import Logging

/// Federated evaluation: selected nodes evaluate the version served to their A/B cohort on their
/// own held-out data and report counts; the driver aggregates them per model version. Individual
/// reports are deleted once aggregated, and a version's aggregate is released only when at least
/// ``minimumReports`` nodes reported (fewer could expose one node's data).
extension RoundDriver {
    /// The smallest number of reports whose aggregate is released.
    static let minimumReports = 3

    /// Whether an evaluation round is due: the last round is a committed training round whose
    /// count of committed training rounds is a multiple of `evaluation_every`.
    static func evaluationDue(_ rounds: [RoundRecord], configuration: CampaignConfiguration) -> Bool {
        guard configuration.evaluationEvery > 0, let last = rounds.last, last.kind == "training", last.status == "committed"
        else { return false }
        let trained = rounds.filter { $0.kind == "training" && $0.status == "committed" }.count
        return trained % configuration.evaluationEvery == 0
    }

    func startEvaluation(campaign: String, configuration: CampaignConfiguration, number: Int) async throws {
        let coordinator = self.coordinator
        let eligible = try await coordinator.read { tx -> [String] in
            let registry = coordinator.consentRegistry(tx)
            return try tx.nodes().filter { try registry.hasConsent(subject: $0.id, purpose: .evaluation) }.map(\.id)
        }
        let selected = ParticipantSelection.poissonSample(eligible, rate: configuration.samplingRate).sorted()
        let now = coordinator.now()
        let record = RoundRecord(
            campaign: campaign, round: number, kind: "evaluation", status: "running", stage: 0, configuration: nil,
            participants: selected, baseVersion: nil, sealedRoundKey: nil, started: now,
            deadline: now + configuration.stageDeadline,
            leader: coordinator.configuration.replicaName)
        try await coordinator.write { tx in
            try tx.insertRound(record)
            try coordinator.audit(
                tx, actor: "system:rounds", action: AuditEvent.Action(rawValue: "evaluation_started"),
                details: ["campaign": campaign, "round": String(number), "selected": String(selected.count)])
        }
        coordinator.events.publish(
            CoordinatorEvent(type: "round.started", campaign: campaign, round: number, stage: 0, time: now))
        logger.info(
            "evaluation round started",
            metadata: ["campaign": "\(campaign)", "round": "\(number)", "selected": "\(selected.count)"])
    }

    func advanceEvaluation(_ record: RoundRecord) async throws {
        let coordinator = self.coordinator
        let (campaign, round) = (record.campaign, record.round)
        let reported = try await coordinator.read { tx in try tx.evaluations(campaign: campaign, round: round).count }
        guard reported >= record.participants.count || coordinator.now() >= record.deadline else { return }
        let now = coordinator.now()
        let results = try await coordinator.write { tx -> [EvaluationResult] in
            let reports = try tx.evaluations(campaign: campaign, round: round)
            let cohorts = Dictionary(
                uniqueKeysWithValues: try reports.compactMap { report in
                    try tx.node(id: report.node).map { (report.node, $0.cohort) }
                })
            let results = Self.aggregate(reports, round: round, cohorts: cohorts)
            var stored =
                try tx.setting("evaluations:\(campaign)").flatMap {
                    try? JSONDecoder().decode([EvaluationResult].self, from: Data($0.utf8))
                } ?? []
            stored += results
            try tx.setSetting("evaluations:\(campaign)", String(decoding: try JSONEncoder().encode(stored), as: UTF8.self))
            _ = try tx.deleteEvaluations(campaign: campaign, round: round)
            var finished = record
            finished.status = "committed"
            finished.stage = 4
            finished.finished = now
            _ = try tx.updateRound(finished)
            try coordinator.audit(
                tx, actor: "system:rounds", action: AuditEvent.Action(rawValue: "evaluation_completed"),
                details: ["campaign": campaign, "round": String(round), "reports": String(reports.count)])
            return results
        }
        coordinator.events.publish(CoordinatorEvent(type: "round.committed", campaign: campaign, round: round, time: now))
        logger.info(
            "evaluation round committed",
            metadata: ["campaign": "\(campaign)", "round": "\(round)", "versions": "\(results.map(\.modelVersion))"])
    }

    /// Sums the reports per model version; macro-F1 from the summed per-label counts.
    static func aggregate(_ reports: [EvaluationReport], round: Int, cohorts: [String: String]) -> [EvaluationResult] {
        Dictionary(grouping: reports, by: \.modelVersion).sorted { $0.key < $1.key }.map { version, group in
            let served = Set(group.compactMap { cohorts[$0.node] }).sorted()
            guard group.count >= minimumReports else {
                return EvaluationResult(round: round, modelVersion: version, cohorts: served, nodes: group.count, released: false)
            }
            let examples = group.map(\.examples).reduce(0, +)
            let correct = group.map(\.correct).reduce(0, +)
            let loss = group.map(\.lossSum).reduce(0, +)
            let labels = group[0].truePositives.count
            var f1Sum = 0.0
            for label in 0..<labels {
                let tp = Double(group.map { $0.truePositives[label] }.reduce(0, +))
                let fp = Double(group.map { $0.falsePositives[label] }.reduce(0, +))
                let fn = Double(group.map { $0.falseNegatives[label] }.reduce(0, +))
                f1Sum += tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
            }
            return EvaluationResult(
                round: round, modelVersion: version, cohorts: served, nodes: group.count, released: true, examples: examples,
                accuracy: Double(correct) / Double(examples), macroF1: f1Sum / Double(labels), loss: loss / Double(examples))
        }
    }
}

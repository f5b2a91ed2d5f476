import EQMAPI
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus

extension CoordinatorAPI {
    func addCampaignRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.createCampaign, to: router) { request, context in
            let body = try await request.json(CampaignConfiguration.self, limit: APIEndpoint.createCampaign.maximumBody)
            return try JSON.response(try await coordinator.createCampaign(body, by: context.principal), status: .created)
        }
        add(.listCampaigns, to: router) { _, _ in
            let views = try await coordinator.read { tx in
                try tx.campaigns().compactMap { try coordinator.campaignView(tx, $0.id) }
            }
            return try JSON.response(CampaignList(campaigns: views))
        }
        add(.getCampaign, to: router) { _, context in
            try JSON.response(try await coordinator.campaignView(try context.identifier("campaign")))
        }
        add(.setCampaignStatus, to: router) { request, context in
            let id = try context.identifier("campaign")
            let body = try await request.json(CampaignStatusRequest.self, limit: APIEndpoint.setCampaignStatus.maximumBody)
            return try JSON.response(try await coordinator.setCampaignStatus(id, status: body.status, by: context.principal))
        }
        add(.listRounds, to: router) { _, context in
            let id = try context.identifier("campaign")
            let rounds = try await coordinator.read { tx -> [RoundRecord]? in
                guard try tx.campaign(id: id) != nil else { return nil }
                return try tx.rounds(campaign: id)
            }
            guard let rounds else { throw CoordinatorError(.notFound, "no campaign '\(id)'") }
            return try JSON.response(
                RoundList(
                    rounds: rounds.map {
                        RoundView(
                            round: $0.round, kind: $0.kind, status: $0.status, stage: $0.stage, selected: $0.participants.count,
                            started: $0.started, finished: $0.finished, reason: $0.reason)
                    }))
        }
    }

    func addRoundRoutes(to router: Router<CoordinatorContext>) {
        let coordinator = self.coordinator
        add(.tasks, to: router) { _, context in
            let node = try context.nodeID()
            let now = coordinator.now()
            // Nodes poll this: read-only, and last_seen is refreshed at most once a minute.
            let (tasks, stale) = try await coordinator.read { tx -> ([NodeTask], Bool) in
                let stale = try tx.node(id: node).map { now - $0.lastSeen > 60 } ?? false
                var tasks: [NodeTask] = []
                for round in try tx.openRounds() {
                    if round.kind == "evaluation", let participant = round.participants.firstIndex(of: node),
                        try tx.evaluations(campaign: round.campaign, round: round.round).allSatisfy({ $0.node != node }),
                        let cohort = try tx.node(id: node)?.cohort,
                        let version = try tx.latestModelVersion(campaign: round.campaign, cohort: cohort)
                    {
                        var task = NodeTask(
                            campaign: round.campaign, round: round.round, stage: 0, participant: participant,
                            deadline: round.deadline,
                            configuration: "", baseVersion: version.id, localEpochs: 0, localBatchSize: 0, localLearningRate: 0)
                        task.kind = "evaluation"
                        tasks.append(task)
                        continue
                    }
                    guard let participant = round.participants.firstIndex(of: node), let configuration = round.configuration,
                        let base = round.baseVersion, let campaign = try tx.campaign(id: round.campaign)
                    else { continue }
                    let settings = try CampaignConfiguration.decode(campaign.configuration)
                    tasks.append(
                        NodeTask(
                            campaign: round.campaign, round: round.round, stage: round.stage, participant: participant,
                            deadline: round.deadline, configuration: configuration, baseVersion: base,
                            localEpochs: settings.localEpochs,
                            localBatchSize: settings.localBatchSize, localLearningRate: settings.localLearningRate))
                }
                return (tasks, stale)
            }
            if stale { _ = try await coordinator.write { tx in try tx.touchNode(id: node, at: now) } }
            return try JSON.response(TaskList(tasks: tasks))
        }
        add(.submit, to: router) { request, context in
            let node = try context.nodeID()
            let campaign = try context.identifier("campaign")
            let round = try context.integer("round")
            let stage = try context.integer("stage", range: 0...3)
            let body = try await request.bytes(limit: APIEndpoint.submit.maximumBody)
            guard body.count >= WireFrame.headerLength else {
                throw CoordinatorError(.invalidRequest, "the body is not a sealed protocol message")
            }
            let now = coordinator.now()
            let inserted = try await coordinator.write { tx -> Bool in
                guard let record = try tx.round(campaign: campaign, round: round) else {
                    throw CoordinatorError(.notFound, "no round \(round) in campaign '\(campaign)'")
                }
                guard let participant = record.participants.firstIndex(of: node) else {
                    throw CoordinatorError(.forbidden, "this node was not selected for round \(round)")
                }
                guard record.status == "running", record.stage == stage, now <= record.deadline else {
                    throw CoordinatorError(
                        .conflict,
                        "round \(round) is not accepting stage \(stage) messages (it is \(record.status), stage \(record.stage))")
                }
                return try tx.insertRoundMessage(
                    RoundMessage(
                        campaign: campaign, round: round, stage: stage, participant: participant, body: body, received: now))
            }
            if !inserted { coordinator.metrics.rejectedSubmissions.increment() }
            return try JSON.response(Accepted(accepted: true, duplicate: !inserted), status: .accepted)
        }
        add(.submitEvaluation, to: router) { request, context in
            let node = try context.nodeID()
            let campaign = try context.identifier("campaign")
            let round = try context.integer("round")
            let body = try await request.json(EvaluationSubmission.self, limit: APIEndpoint.submitEvaluation.maximumBody)
            try body.validate(labels: EmotionLabel.count)
            let now = coordinator.now()
            let inserted = try await coordinator.write { tx -> Bool in
                guard let record = try tx.round(campaign: campaign, round: round), record.kind == "evaluation" else {
                    throw CoordinatorError(.notFound, "no evaluation round \(round) in campaign '\(campaign)'")
                }
                guard record.participants.contains(node) else {
                    throw CoordinatorError(.forbidden, "this node was not selected for evaluation round \(round)")
                }
                guard record.status == "running", now <= record.deadline else {
                    throw CoordinatorError(.conflict, "evaluation round \(round) is \(record.status) and takes no more reports")
                }
                let cohort = try tx.node(id: node)?.cohort
                guard let served = try tx.latestModelVersion(campaign: campaign, cohort: cohort), served.id == body.modelVersion
                else {
                    throw CoordinatorError(.conflict, "model_version must be the version served to this node's cohort")
                }
                return try tx.insertEvaluation(
                    EvaluationReport(
                        campaign: campaign, round: round, node: node, modelVersion: body.modelVersion, examples: body.examples,
                        correct: body.correct, lossSum: body.lossSum, truePositives: body.truePositives,
                        falsePositives: body.falsePositives, falseNegatives: body.falseNegatives, received: now))
            }
            return try JSON.response(Accepted(accepted: true, duplicate: !inserted), status: .accepted)
        }
        add(.listEvaluations, to: router) { _, context in
            let campaign = try context.identifier("campaign")
            let results = try await coordinator.read { tx -> [EvaluationResult]? in
                guard try tx.campaign(id: campaign) != nil else { return nil }
                return try tx.setting("evaluations:\(campaign)").flatMap {
                    try? JSONDecoder().decode([EvaluationResult].self, from: Data($0.utf8))
                } ?? []
            }
            guard let results else { throw CoordinatorError(.notFound, "no campaign '\(campaign)'") }
            return try JSON.response(EvaluationList(evaluations: results))
        }
        add(.stageOutput, to: router) { _, context in
            let node = try context.nodeID()
            let campaign = try context.identifier("campaign")
            let round = try context.integer("round")
            let stage = try context.integer("stage", range: 1...3)
            let output = try await coordinator.read { tx -> [UInt8] in
                guard let record = try tx.round(campaign: campaign, round: round) else {
                    throw CoordinatorError(.notFound, "no round \(round) in campaign '\(campaign)'")
                }
                guard let participant = record.participants.firstIndex(of: node) else {
                    throw CoordinatorError(.forbidden, "this node was not selected for round \(round)")
                }
                guard record.status != "running" || record.stage >= stage else {
                    throw CoordinatorError(.conflict, "stage \(stage) of round \(round) is not ready yet")
                }
                guard let output = try tx.roundOutput(campaign: campaign, round: round, stage: stage, participant: participant)
                else {
                    throw CoordinatorError(
                        .notFound, "round \(round) moved past stage \(stage - 1) without this node, or it has ended")
                }
                return output.body
            }
            return JSON.binary(output)
        }
    }
}

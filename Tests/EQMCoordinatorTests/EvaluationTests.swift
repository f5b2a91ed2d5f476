import EQMAPI
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import EQMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import EQMCoordinator

/// Federated evaluation after a training round, with A/B serving: cohort a is served the promoted
/// v0, cohort b the newly trained v1; each node evaluates its cohort's version on "its own data"
/// and the coordinator aggregates per version.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EvaluationTests {
    @Test func evaluationRoundComparesTheCohortsVersions() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            for purpose in [ProcessingPurpose.training, .evaluation] {
                _ = try await client.call(
                    .post, "/v1/consent-texts", token: harness.adminToken,
                    json: ConsentTextRequest(purpose: purpose, text: "\(purpose)"))
            }
            var nodes: [(token: String, id: String, identity: SigningKey)] = []
            for _ in 0..<6 {
                let node = try await enrollNode(client, adminToken: harness.adminToken)
                for purpose in [ProcessingPurpose.training, .evaluation] {
                    _ = try await client.call(
                        .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: purpose, granted: true))
                }
                nodes.append(node)
            }
            var configuration = CampaignConfiguration(name: "a/b")
            configuration.samplingRate = 1
            configuration.maximumRounds = 1
            configuration.evaluationEvery = 1
            configuration.stageDeadline = 10
            let campaign = try await client.call(.post, "/v1/campaigns", token: harness.adminToken, json: configuration).decode(
                CampaignView.self)
            let driver = harness.server.driver
            let key = harness.coordinator.identity.publicKey

            // Training round.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for node in nodes {
                    group.addTask {
                        let http = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", token: node.token)
                        let participant = RoundParticipant(client: http, identity: node.identity, coordinatorKey: key)
                        var task: NodeTask?
                        for _ in 0..<500 where task == nil {
                            task = try await http.tasks().first
                            if task == nil { try await Task.sleep(for: .milliseconds(20)) }
                        }
                        _ = try await participant.run(try #require(task)) { parameters in parameters.map { _ in Float(1e-3) } }
                    }
                }
                group.addTask {
                    for _ in 0..<1000 {
                        try await driver.tick()
                        let status = try harness.coordinator.store.read { tx in
                            try tx.round(campaign: campaign.id, round: 1)?.status
                        }
                        if status == "committed" { return }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                try await group.waitForAll()
            }
            // A/B: cohort a keeps v0; cohort b gets the latest (v1).
            let promoted = try await client.call(
                .post, "/v1/campaigns/\(campaign.id)/models/0/promote", token: harness.adminToken,
                json: PromoteRequest(cohort: "a"))
            #expect(promoted.status == .ok)

            // Evaluation round: every node reports 10 examples; v0 gets 3 right, v1 gets 7.
            try await driver.tick()
            let round = try #require(try harness.coordinator.store.read { tx in try tx.round(campaign: campaign.id, round: 2) })
            #expect(round.kind == "evaluation")
            var served: [String: String] = [:]
            for node in nodes {
                let http = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", token: node.token)
                let task = try #require(try await http.tasks().first { $0.kind == "evaluation" })
                served[node.id] = task.baseVersion
                let participant = RoundParticipant(client: http, identity: node.identity, coordinatorKey: key)
                try await participant.evaluate(task) { _, version in
                    let right = version.hasSuffix("/v0") ? 3 : 7
                    var confusion = [[Int]](repeating: [Int](repeating: 0, count: EmotionLabel.count), count: EmotionLabel.count)
                    confusion[0][0] = right
                    confusion[0][1] = 10 - right
                    return EvaluationSubmission(modelVersion: version, confusion: confusion, lossSum: 12)
                }
                // A second report is a duplicate, not a second vote.
                #expect(try await http.tasks().allSatisfy { $0.kind != "evaluation" })
            }
            #expect(Set(served.values) == ["\(campaign.id)/v0", "\(campaign.id)/v1"])
            try await driver.tick()
            let results = try await client.call(.get, "/v1/campaigns/\(campaign.id)/evaluations", token: harness.adminToken)
                .decode(EvaluationList.self).evaluations
            #expect(results.count == 2)
            let v0 = try #require(results.first { $0.modelVersion.hasSuffix("/v0") })
            let v1 = try #require(results.first { $0.modelVersion.hasSuffix("/v1") })
            #expect(v0.cohorts == ["a"] && v1.cohorts == ["b"])
            #expect(v0.nodes == 3 && v1.nodes == 3 && v0.released && v1.released)
            #expect(v0.accuracy == 0.3 && v1.accuracy == 0.7)
            #expect(abs((v1.loss ?? 0) - 1.2) < 1e-12)
            // Individual reports are gone once aggregated; the campaign then finishes.
            let left = try harness.coordinator.store.read { tx in try tx.evaluations(campaign: campaign.id, round: 2).count }
            #expect(left == 0)
            try await driver.tick()
            #expect(
                try await client.call(.get, "/v1/campaigns/\(campaign.id)", token: harness.adminToken).decode(CampaignView.self)
                    .status == "finished")
            // A malformed report is refused with a 400.
            let bad = try await client.call(
                .post, "/v1/campaigns/\(campaign.id)/rounds/2/evaluation", token: nodes[0].token,
                json: EvaluationSubmission(
                    modelVersion: "x", examples: 5, correct: 9, lossSum: 1, truePositives: [], falsePositives: [],
                    falseNegatives: []))
            #expect(bad.status == .badRequest)
        }
    }

    @Test func smallGroupsAreNotReleased() {
        let reports = (0..<2).map { index in
            EvaluationReport(
                campaign: "c", round: 1, node: "n\(index)", modelVersion: "c/v1", examples: 10, correct: 5, lossSum: 1,
                truePositives: [5], falsePositives: [5], falseNegatives: [5], received: 0)
        }
        let results = RoundDriver.aggregate(reports, round: 1, cohorts: [:])
        #expect(results.count == 1)
        #expect(results[0].released == false && results[0].accuracy == nil && results[0].nodes == 2)
    }
}

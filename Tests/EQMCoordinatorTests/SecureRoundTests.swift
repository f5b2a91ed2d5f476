import EQMAPI
import EQMClient
import EQMCompliance
import EQMCoordinator
import EQMCore
import EQMCrypto
import EQMProtocols
import EQMStorage
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Complete SecAgg+ rounds over real HTTP on loopback: the coordinator's API and round driver,
/// simulated nodes using the client library (`CoordinatorClient`, `RoundParticipant`).
@Suite(.serialized, .timeLimit(.minutes(2))) struct SecureRoundTests {
    /// Runs one campaign round with `nodes` nodes; `drops` maps node position to where it drops.
    func runRound(
        nodes count: Int, drops: [Int: RoundParticipant.DropPoint], configure: (inout CampaignConfiguration) -> Void
    ) async throws -> (
        harness: CoordinatorHarness, campaign: CampaignView, deltas: [[Float]], outcomes: [RoundParticipant.Outcome]
    ) {
        let harness = try await CoordinatorHarness()
        var settings = CampaignConfiguration(name: "round test")
        settings.samplingRate = 1
        settings.maximumRounds = 1
        settings.stageDeadline = 12  // generous: under a loaded CI machine a node may take seconds per stage
        configure(&settings)
        let configuration = settings
        let (view, deltas, outcomes) = try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            _ = try await client.call(
                .post, "/v1/consent-texts", token: harness.adminToken,
                json: ConsentTextRequest(purpose: .training, text: "Federated training."))
            var nodes: [(token: String, id: String, identity: SigningKey)] = []
            for _ in 0..<count {
                let node = try await enrollNode(client, adminToken: harness.adminToken)
                _ = try await client.call(
                    .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: true))
                nodes.append(node)
            }
            let campaign = try await client.call(.post, "/v1/campaigns", token: harness.adminToken, json: configuration).decode(
                CampaignView.self)
            let base = try await harness.coordinator.read { tx in try tx.latestModelVersion(campaign: campaign.id, cohort: nil) }
            let dimension = try ModelFile.decode(try #require(base).model).header.parameterCount

            // Each node's update: small, distinct, below the clip norm.
            var updates: [[Float]] = []
            for node in 0..<count {
                var delta = [Float](repeating: 0, count: dimension)
                for index in 0..<dimension {
                    let step = (node * 31 + index * 7) % 13 - 6
                    delta[index] = Float(step) * 1e-3
                }
                updates.append(delta)
            }
            let deltas = updates
            let driver = harness.server.driver
            let ticking = Task {
                while !Task.isCancelled {
                    do { try await driver.tick() } catch { print("tick failed: \(error)") }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            defer { ticking.cancel() }
            let outcomes = try await withThrowingTaskGroup(of: (Int, RoundParticipant.Outcome).self) { group in
                for (position, node) in nodes.enumerated() {
                    group.addTask {
                        let http = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", token: node.token)
                        let participant = RoundParticipant(
                            client: http, identity: node.identity, coordinatorKey: harness.coordinator.identity.publicKey)
                        var task: NodeTask?
                        for _ in 0..<500 where task == nil {
                            task = try await http.tasks().first
                            if task == nil { try await Task.sleep(for: .milliseconds(20)) }
                        }
                        let assigned = try #require(task, "node \(position) was never selected")
                        let delta = deltas[position]
                        return (position, try await participant.run(assigned, dropAt: drops[position]) { _ in delta })
                    }
                }
                var outcomes = [RoundParticipant.Outcome](repeating: .completed, count: count)
                for try await (position, outcome) in group { outcomes[position] = outcome }
                return outcomes
            }
            // Wait for the commit (the stage after a dropout closes at its deadline).
            var view = campaign
            for _ in 0..<1600 where view.roundsCommitted == 0 {
                try await Task.sleep(for: .milliseconds(25))
                view = try await client.call(.get, "/v1/campaigns/\(campaign.id)", token: harness.adminToken).decode(
                    CampaignView.self)
            }
            return (view, deltas, outcomes)
        }
        return (harness, view, deltas, outcomes)
    }

    @Test func roundWithDropoutAveragesTheSurvivorsExactly() async throws {
        let (harness, campaign, deltas, outcomes) = try await runRound(nodes: 6, drops: [5: .afterSharing]) {
            $0.privacyMode = .none
            $0.noiseMultiplier = 0
            $0.allowNoPrivacy = true
        }
        #expect(campaign.roundsCommitted == 1)
        #expect(outcomes[5] == .dropped(.afterSharing))
        #expect(outcomes[0..<5].allSatisfy { $0 == .completed })
        let (v0, v1) = try harness.coordinator.store.read { tx in
            (try tx.modelVersion(id: "\(campaign.id)/v0"), try tx.modelVersion(id: "\(campaign.id)/v1"))
        }
        let before = try ModelFile.decode(try #require(v0).model).model.parameterVector()
        let after = try ModelFile.decode(try #require(v1).model).model.parameterVector()
        // FedAvg with η = 1: the new model is the base plus the survivors' mean update (up to quantisation).
        var worst: Float = 0
        for index in before.indices {
            let mean = (0..<5).map { deltas[$0][index] }.reduce(0, +) / 5
            worst = max(worst, abs(after[index] - before[index] - mean))
        }
        #expect(worst < 1e-5, "largest deviation \(worst)")
        // No DP in this campaign, so no ledger entry; the model is signed; masked submissions are gone.
        let signed = try SignedModel(
            cardJSON: try #require(v1).card, signature: try #require([UInt8](hex: v1!.signature)), model: v1!.model)
        let card = try signed.verify(trusting: harness.coordinator.identity.publicKey)
        #expect(card.participants == 5)
        #expect(card.parent == "\(campaign.id)/v0")
        let leftovers = try harness.coordinator.store.read { tx in
            try tx.roundMessageCount(campaign: campaign.id, round: 1, stage: 2)
        }
        #expect(leftovers == 0)
    }

    @Test func distributedDPRoundWithDropoutIsInTheLedger() async throws {
        let (harness, campaign, _, outcomes) = try await runRound(nodes: 6, drops: [2: .afterSharing]) {
            $0.privacyMode = .distributed
            $0.noiseMultiplier = 1.0
            $0.serverOptimizer = .fedAdam()
        }
        #expect(outcomes.filter { $0 == .completed }.count == 5)
        #expect(campaign.roundsCommitted == 1)
        #expect(campaign.epsilon > 0)
        let ledger = try harness.coordinator.store.read { tx in
            try ChainExport(chain: "ledger", store: tx.chain("ledger:\(campaign.id)"))
        }
        let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(
            ledger, publicKey: harness.coordinator.identity.publicKey)
        #expect(report.ok, "\(report.problems)")
        #expect(report.applied == 1)
        #expect(abs(report.globalEpsilon - campaign.epsilon) < 1e-9)
        let entry = try JSONDecoder().decode(LedgerEntry.self, from: Data(ledger.links[1].payload.utf8))
        #expect(entry.selected == 6 && entry.survived == 5 && entry.dropped == 1)
        #expect(entry.modelVersion == "\(campaign.id)/v1")
        #expect(entry.mechanism.noiseMultiplier >= 1.0)
        #expect(entry.mechanism.secureAggregation)
        #expect(entry.mechanism.mode == "distributed")
        // The released card states the same ε.
        let v1 = try #require(try harness.coordinator.store.read { tx in try tx.modelVersion(id: "\(campaign.id)/v1") })
        let card = try SignedModel(cardJSON: v1.card, signature: try #require([UInt8](hex: v1.signature)), model: v1.model)
            .verify(trusting: harness.coordinator.identity.publicKey)
        #expect(card.privacy.epsilon == entry.globalEpsilon)
    }
}

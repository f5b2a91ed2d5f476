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

/// The round state lives in the database: a round driver that stops mid-round (a crash: no
/// shutdown, no abort) is replaced by a new coordinator on the same database file, which
/// rebuilds the SecAgg+ state by replaying the stored messages and completes the round.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RestartTests {
    @Test func aNewDriverResumesARoundFromTheDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = "sqlite:\(folder.path)/coordinator.sqlite"
        let identity = CoordinatorIdentity.generate()
        let first = try await CoordinatorHarness(store: try CoordinatorStore.open(url: url), identity: identity)
        try await first.application().test(.live) { client in
            let port = try #require(client.port)
            _ = try await client.call(
                .post, "/v1/consent-texts", token: first.adminToken,
                json: ConsentTextRequest(purpose: .training, text: "Training."))
            var nodes: [(token: String, id: String, identity: SigningKey)] = []
            for _ in 0..<4 {
                let node = try await enrollNode(client, adminToken: first.adminToken)
                _ = try await client.call(
                    .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: true))
                nodes.append(node)
            }
            var configuration = CampaignConfiguration(name: "restart")
            configuration.samplingRate = 1
            configuration.maximumRounds = 1
            configuration.stageDeadline = 60
            configuration.privacyMode = .distributed
            configuration.noiseMultiplier = 1
            let campaign = try await client.call(.post, "/v1/campaigns", token: first.adminToken, json: configuration).decode(
                CampaignView.self)

            // The first driver runs until the round reaches the masked-input stage, then "dies".
            let firstDriver = first.server.driver
            let crashed = Task {
                while !Task.isCancelled {
                    try? await firstDriver.tick()
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            let participants = Task {
                try await withThrowingTaskGroup(of: RoundParticipant.Outcome.self) { group in
                    for node in nodes {
                        group.addTask {
                            let http = CoordinatorClient(baseURL: "http://127.0.0.1:\(port)", token: node.token)
                            let participant = RoundParticipant(
                                client: http, identity: node.identity, coordinatorKey: identity.publicKey)
                            var task: NodeTask?
                            for _ in 0..<500 where task == nil {
                                task = try await http.tasks().first
                                if task == nil { try await Task.sleep(for: .milliseconds(20)) }
                            }
                            let assigned = try #require(task)
                            return try await participant.run(assigned) { parameters in parameters.map { _ in Float(1e-3) } }
                        }
                    }
                    var outcomes: [RoundParticipant.Outcome] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            for _ in 0..<500 {
                let stage = try first.coordinator.store.read { tx in try tx.round(campaign: campaign.id, round: 1)?.stage } ?? 0
                if stage >= 2 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            crashed.cancel()
            _ = await crashed.result
            await firstDriver.stopWithoutCleanup()

            // A new coordinator process would open the same file with the same key file.
            let second = try await CoordinatorHarness(store: try CoordinatorStore.open(url: url), identity: identity)
            let secondDriver = second.server.driver
            let resumed = Task {
                while !Task.isCancelled {
                    try? await secondDriver.tick()
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            defer { resumed.cancel() }
            let outcomes = try await participants.value
            #expect(outcomes.allSatisfy { $0 == .completed })
            var committed = false
            for _ in 0..<500 where !committed {
                committed =
                    try second.coordinator.store.read { tx in try tx.round(campaign: campaign.id, round: 1)?.status }
                    == "committed"
                if !committed { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(committed)
            let v1 = try second.coordinator.store.read { tx in try tx.modelVersion(id: "\(campaign.id)/v1") }
            #expect(v1 != nil)
            let ledger = try second.coordinator.store.read { tx in
                try ChainExport(chain: "ledger", store: tx.chain("ledger:\(campaign.id)"))
            }
            let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(ledger, publicKey: identity.publicKey)
            #expect(report.ok, "\(report.problems)")
            #expect(report.applied == 1)
        }
    }
}

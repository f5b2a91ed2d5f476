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

/// Two coordinator replicas on one PostgreSQL database (the throwaway server `make test`
/// starts): both accept node requests, exactly one leads rounds (advisory lock), and when the
/// leader dies mid-round the other takes the round over and commits it.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReplicaTests {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["EQM_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
    static var required: Bool { ProcessInfo.processInfo.environment["EQM_REQUIRE_POSTGRES"] == "1" }

    @Test func twoReplicasShareNodesAndHandOverLeadership() async throws {
        guard let url = Self.postgresURL else {
            if Self.required { Issue.record("EQM_REQUIRE_POSTGRES=1 but EQM_TEST_POSTGRES_URL is not set") }
            return
        }
        // A fresh schema, dropped afterwards.
        let schema = "replicas_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let admin = try PostgresConnection(url: url)
        _ = try admin.scalar("CREATE SCHEMA \(schema)")
        defer { _ = try? admin.scalar("DROP SCHEMA \(schema) CASCADE") }
        let location = url + (url.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)"

        let identity = CoordinatorIdentity.generate()
        let a = try await CoordinatorHarness(store: try CoordinatorStore.open(url: location), identity: identity)
        let b = try await CoordinatorHarness(store: try CoordinatorStore.open(url: location), identity: identity)
        #expect(b.adminToken.isEmpty, "the second replica must not mint another admin token")
        let token = a.adminToken

        try await a.application().test(.live) { clientA in
            try await b.application().test(.live) { clientB in
                let ports = [try #require(clientA.port), try #require(clientB.port)]
                _ = try await clientA.call(
                    .post, "/v1/consent-texts", token: token, json: ConsentTextRequest(purpose: .training, text: "Training."))
                // Nodes enroll through either replica.
                var nodes: [(token: String, id: String, identity: SigningKey, port: Int)] = []
                for index in 0..<4 {
                    let client: any TestClientProtocol = index % 2 == 0 ? clientA : clientB
                    let node = try await enrollNode(client, adminToken: token)
                    _ = try await client.call(
                        .post, "/v1/nodes/me/consent", token: node.token, json: ConsentRequest(purpose: .training, granted: true))
                    nodes.append((node.token, node.id, node.identity, ports[index % 2]))
                }
                var configuration = CampaignConfiguration(name: "replicas")
                configuration.samplingRate = 1
                configuration.maximumRounds = 1
                configuration.stageDeadline = 30
                let campaign = try await clientB.call(.post, "/v1/campaigns", token: token, json: configuration).decode(
                    CampaignView.self)

                let drivers = [a.server.driver, b.server.driver]
                let tickers = drivers.map { driver in
                    Task {
                        while !Task.isCancelled {
                            try? await driver.tick()
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
                defer { tickers.forEach { $0.cancel() } }
                // Exactly one replica leads.
                var leaders: [Bool] = []
                for _ in 0..<200 {
                    leaders = [await drivers[0].isLeader, await drivers[1].isLeader]
                    if leaders.contains(true) { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(leaders.filter { $0 }.count == 1)
                let leader = try #require(leaders.firstIndex(of: true))

                let participants = Task {
                    try await withThrowingTaskGroup(of: RoundParticipant.Outcome.self) { group in
                        for node in nodes {
                            group.addTask {
                                let http = CoordinatorClient(baseURL: "http://127.0.0.1:\(node.port)", token: node.token)
                                let participant = RoundParticipant(
                                    client: http, identity: node.identity, coordinatorKey: identity.publicKey)
                                var task: NodeTask?
                                for _ in 0..<1000 where task == nil {
                                    task = try await http.tasks().first
                                    if task == nil { try await Task.sleep(for: .milliseconds(20)) }
                                }
                                return try await participant.run(try #require(task)) { parameters in
                                    parameters.map { _ in Float(1e-3) }
                                }
                            }
                        }
                        var outcomes: [RoundParticipant.Outcome] = []
                        for try await outcome in group { outcomes.append(outcome) }
                        return outcomes
                    }
                }
                // The leader dies once the round is under way; the other replica takes over.
                for _ in 0..<1000 {
                    let stage = try a.coordinator.store.read { tx in try tx.round(campaign: campaign.id, round: 1)?.stage } ?? 0
                    if stage >= 1 { break }
                    try await Task.sleep(for: .milliseconds(10))
                }
                tickers[leader].cancel()
                _ = await tickers[leader].result
                await drivers[leader].stopWithoutCleanup()

                let outcomes = try await participants.value
                #expect(outcomes.allSatisfy { $0 == .completed }, "\(outcomes)")
                var status: String?
                for _ in 0..<1000 where status != "committed" {
                    status = try b.coordinator.store.read { tx in try tx.round(campaign: campaign.id, round: 1)?.status }
                    if status != "committed" { try await Task.sleep(for: .milliseconds(10)) }
                }
                #expect(status == "committed")
                #expect(await drivers[1 - leader].isLeader)
                let ledger = try a.coordinator.store.read { tx in
                    try ChainExport(chain: "ledger", store: tx.chain("ledger:\(campaign.id)"))
                }
                let report = LedgerVerifier(accountants: LedgerAccountants.all).verify(ledger, publicKey: identity.publicKey)
                #expect(report.ok && report.applied == 1, "\(report.problems)")
            }
        }
    }
}

import EQMAPI
import EQMCoordinator
import EQMStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct EventsAndMetricsTests {
    /// `/v1/events` needs a token, upgrades to a WebSocket, and streams campaign events as JSON.
    @Test func eventStreamDeliversCampaignEvents() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.live) { client in
            let port = try #require(client.port)
            // Without a token or without an upgrade, a JSON error.
            #expect(try await client.call(.get, "/v1/events").status == .unauthorized)
            #expect(try await client.call(.get, "/v1/events", token: harness.adminToken).status == .badRequest)
            let campaign = try await client.call(
                .post, "/v1/campaigns", token: harness.adminToken, json: CampaignConfiguration(name: "events")
            ).decode(CampaignView.self)

            let received = Mutex<[CoordinatorEvent]>([])
            let connected = Task {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/v1/events",
                    configuration: .init(additionalHeaders: [.authorization: "Bearer \(harness.adminToken)"]),
                    logger: Logger(label: "test.ws")
                ) { inbound, _, _ in
                    for try await message in inbound.messages(maxSize: 1 << 16) {
                        guard case .text(let text) = message else { continue }
                        let event = try JSONDecoder().decode(CoordinatorEvent.self, from: Data(text.utf8))
                        received.withLock { $0.append(event) }
                        if event.type == "campaign.paused" { return }
                    }
                }
            }
            // Wait until the subscription exists, then cause an event.
            for _ in 0..<200 where harness.coordinator.events.subscriberCount == 0 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(harness.coordinator.events.subscriberCount == 1)
            _ = try await client.call(
                .post, "/v1/campaigns/\(campaign.id)/status", token: harness.adminToken,
                json: CampaignStatusRequest(status: "paused"))
            _ = try await connected.value
            let events = received.withLock { $0 }
            #expect(events.contains { $0.type == "campaign.paused" && $0.campaign == campaign.id })
        }
    }

    @Test func healthAndMetricsArePublic() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let health = try await client.call(.get, "/healthz")
            #expect(health.status == .ok)
            #expect(try health.decode(HealthStatus.self).database == "ok")
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.status == .ok)
            let text = String(buffer: metrics.body)
            #expect(text.contains("eqm_rounds_committed_total"))
            #expect(text.contains("eqm_stage_close_seconds"))
        }
    }
}

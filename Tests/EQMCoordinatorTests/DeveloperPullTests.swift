import EQMAPI
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DeveloperPullTests {
    /// The README's library example: a developer token pulls `latest`, the signature is checked
    /// against the pinned key, the release is written, and the model predicts a recording's
    /// windows. A wrong pinned key is refused.
    @Test func pullVerifyWriteAndPredict() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.live) { client in
            let url = "http://127.0.0.1:\(try #require(client.port))"
            let admin = CoordinatorClient(baseURL: url, token: harness.adminToken)
            let campaign = try await admin.createCampaign(CampaignConfiguration(name: "pull"))
            let developerToken = try await admin.createToken(role: .developer, label: "dev").token
            let coordinatorKeyHex = try await admin.info().signingKey

            let developer = CoordinatorClient(baseURL: url, token: developerToken)
            let signed = try await developer.verifiedModel(
                campaign: campaign.id, version: "latest", trusting: try PublicKey(hex: coordinatorKeyHex))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-pull-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try ModelRelease(signed).write(to: folder)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("card.sig").path))
            let model = try InferenceModel(verified: signed)
            #expect(model.card?.id == "\(campaign.id)/v0")

            let stream = try SyntheticStream(user: 1, minutes: 2, seed: 3, origin: 1_760_000_000)
            let measurements = try (0..<100).flatMap { try LiveRecords.parse(Array(stream.message(second: $0).utf8)) }
            let windows = try model.predict(measurements)
            #expect(windows.count == 2 && windows.allSatisfy { $0.prediction != nil })

            await #expect {
                _ = try await developer.verifiedModel(campaign: campaign.id, version: "latest", trusting: SigningKey().publicKey)
            } throws: { error in
                (error as? ComplianceError)?.code == .verificationFailed
            }
        }
    }
}

import EQMAPI
import EQMCore
import EQMProtocols
import Foundation
import Testing

@Suite struct CampaignConfigurationTests {
    @Test func decodesSnakeCaseWithDefaults() throws {
        let json = #"{"name": "stress", "sampling_rate": 0.25, "server_optimizer": {"kind": "fedyogi"}, "privacy_mode": "local"}"#
        let configuration = try JSONDecoder().decode(CampaignConfiguration.self, from: Data(json.utf8))
        #expect(configuration.name == "stress")
        #expect(configuration.samplingRate == 0.25)
        #expect(configuration.serverOptimizer.kind == .fedyogi)
        #expect(configuration.privacyMode == .local)
        #expect(configuration.model == "mlp")
        #expect(configuration.delta == 1e-5)
        try configuration.validate()
    }

    @Test func roundTripsThroughJSON() throws {
        var configuration = CampaignConfiguration(name: "round trip")
        configuration.model = "cnn"
        configuration.clipNorm = 0.5
        configuration.maximumRounds = 3
        let decoded = try JSONDecoder().decode(CampaignConfiguration.self, from: JSONEncoder().encode(configuration))
        #expect(decoded == configuration)
    }

    @Test func refusesOutOfRangeValuesNamingTheField() {
        func message(_ change: (inout CampaignConfiguration) -> Void) -> String? {
            var configuration = CampaignConfiguration(name: "x")
            change(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch { return error.message }
        }
        #expect(message { $0.samplingRate = 0 }?.contains("sampling_rate") == true)
        #expect(message { $0.delta = 0.5 }?.contains("delta") == true)
        #expect(message { $0.model = "transformer" }?.contains("model") == true)
        #expect(message { $0.minimumParticipants = 2 }?.contains("minimum_participants") == true)
        #expect(message { $0.privacyMode = .none }?.contains("allow_no_privacy") == true)
        #expect(message { $0.name = "" }?.contains("name") == true)
        #expect(message { _ in } == nil)
    }
}

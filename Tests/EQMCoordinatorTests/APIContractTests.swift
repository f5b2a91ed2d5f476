import EQMAPI
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

@Suite struct APIContractTests {
    /// Every documented operation is a live route (no 404), and every protected one refuses an
    /// anonymous caller with a JSON 401.
    @Test func openAPIDocumentMatchesTheRouter() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let response = try await client.call(.get, "/openapi.json")
            #expect(response.status == .ok)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            var operations = 0
            for (path, methods) in paths {
                for (method, operation) in methods {
                    operations += 1
                    let concrete = path.replacingOccurrences(of: "{round}", with: "1").replacingOccurrences(
                        of: "{stage}", with: "1"
                    )
                    .replacingOccurrences(of: "{version}", with: "1")
                    .replacing(/\{[a-z]+\}/, with: "x")
                    let answer = try await client.call(HTTPRequest.Method(method.uppercased())!, concrete)
                    let secured = !(((operation as? [String: Any])?["security"] as? [Any]) ?? []).isEmpty
                    if secured {
                        #expect(answer.status == .unauthorized, "\(method) \(path) answered \(answer.status)")
                        #expect(answer.errorCode == "unauthorized")
                    } else {
                        #expect(answer.status != .notFound, "\(method) \(path) is documented but not routed")
                    }
                }
            }
            #expect(operations == APIEndpoint.all.count)
            // Every schema reference resolves.
            let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
            let text = String(buffer: response.body).replacingOccurrences(of: "\\/", with: "/")
            let references = text.matches(of: /#\/components\/schemas\/([A-Za-z]+)/).map { String($0.1) }
            #expect(!references.isEmpty)
            for name in Set(references) { #expect(schemas[name] != nil, "missing schema \(name)") }
        }
    }

    /// Each protected endpoint admits exactly the roles it declares: every other role gets 403.
    @Test func roleMatrix() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            var tokens: [Role: String] = [.admin: harness.adminToken]
            for role in [Role.operator, .auditor, .developer] {
                tokens[role] = try await client.call(
                    .post, "/v1/tokens", token: harness.adminToken, json: TokenRequest(role: role, label: "\(role)")
                )
                .decode(TokenIssued.self).token
            }
            tokens[.node] = try await enrollNode(client, adminToken: harness.adminToken).token
            var checked = 0
            // Erasing the calling node revokes its token: check that endpoint last.
            let ordered =
                APIEndpoint.all.filter { $0.path != "/v1/nodes/me/erasure" }
                + APIEndpoint.all.filter { $0.path == "/v1/nodes/me/erasure" }
            for endpoint in ordered {
                guard let admitted = endpoint.roles else { continue }
                let path = endpoint.path.replacingOccurrences(of: "{round}", with: "1").replacingOccurrences(
                    of: "{stage}", with: "1"
                )
                .replacingOccurrences(of: "{version}", with: "1").replacing(/\{[a-z]+\}/, with: "x")
                for role in Role.allCases {
                    // Bodies are irrelevant: authorisation runs before the body is read.
                    let answer = try await client.call(endpoint.method, path, token: tokens[role]!)
                    if admitted.contains(role) {
                        #expect(
                            answer.status != .forbidden && answer.status != .unauthorized, "\(role) refused at \(endpoint.path)")
                    } else {
                        #expect(
                            answer.status == .forbidden,
                            "\(role) admitted at \(endpoint.method) \(endpoint.path): \(answer.status)")
                        #expect(answer.errorCode == "forbidden")
                    }
                    checked += 1
                }
            }
            #expect(checked > 100)
        }
    }

    @Test func errorsAreJSONWithTheRightStatus() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let unknown = try await client.call(.get, "/v1/nothing-here")
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")

            let malformed = try await client.execute(
                uri: "/v1/tokens", method: .post,
                headers: [.authorization: "Bearer \(harness.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: "{\"role\": 12"))
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "invalid_request")

            let missing = try await client.call(.post, "/v1/tokens", token: harness.adminToken, json: ["label": "no role"])
            #expect(missing.status == .badRequest)
            #expect(try missing.decode(APIErrorBody.self).error.message.contains("role"))

            let large = try await client.call(
                .post, "/v1/tokens", token: harness.adminToken, bytes: [UInt8](repeating: 32, count: 200_000))
            #expect(large.status == .contentTooLarge)
            #expect(large.errorCode == "payload_too_large")

            let badToken = try await client.call(
                .get, "/v1/tokens", token: "eqm_000000000000_" + String(repeating: "0", count: 64))
            #expect(badToken.status == .unauthorized)

            let invalidCampaign = try await client.call(
                .post, "/v1/campaigns", token: harness.adminToken, json: ["name": "x", "sampling_rate": "high"])
            #expect(invalidCampaign.status == .badRequest)
            var configuration = CampaignConfiguration(name: "bad")
            configuration.samplingRate = 2
            let outOfRange = try await client.call(.post, "/v1/campaigns", token: harness.adminToken, json: configuration)
            #expect(outOfRange.status == .badRequest)
            #expect(try outOfRange.decode(APIErrorBody.self).error.message.contains("sampling_rate"))
        }
    }

    @Test func tokensAreStoredOnlyAsHashesAndCanBeRevoked() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            let issued = try await client.call(
                .post, "/v1/tokens", token: harness.adminToken, json: TokenRequest(role: .auditor, label: "audit")
            )
            .decode(TokenIssued.self)
            let stored = try harness.coordinator.store.read { tx in try tx.tokens() }
            let secret = String(issued.token.split(separator: "_")[2])
            #expect(stored.count == 2)
            #expect(!stored.contains { $0.hash.hexString == secret })
            #expect(try await client.call(.get, "/v1/audit/trail", token: issued.token).status == .ok)
            #expect(try await client.call(.delete, "/v1/tokens/\(issued.id)", token: harness.adminToken).status == .noContent)
            #expect(try await client.call(.get, "/v1/audit/trail", token: issued.token).status == .unauthorized)
            // A second admin bootstrap does nothing.
            #expect(try await harness.coordinator.bootstrapAdminToken() == nil)
        }
    }
}

@Suite struct CampaignAndConfigurationTests {
    /// A target ε is turned into the smallest σ (rounded up) that meets it over the campaign's rounds.
    @Test func targetEpsilonIsCalibrated() async throws {
        let harness = try await CoordinatorHarness()
        try await harness.application().test(.router) { client in
            var configuration = CampaignConfiguration(name: "target")
            configuration.targetEpsilon = 2
            configuration.samplingRate = 0.1
            configuration.maximumRounds = 50
            let view = try await client.call(.post, "/v1/campaigns", token: harness.adminToken, json: configuration).decode(
                CampaignView.self)
            let sigma = view.configuration.noiseMultiplier
            let epsilon = { (sigma: Double) in
                try RDPAccountant().guarantee(
                    for: PrivacyEvent(samplingRate: 0.1, noiseMultiplier: sigma, steps: 50), delta: configuration.delta
                ).epsilon
            }
            #expect(try epsilon(sigma) <= 2)
            #expect(try epsilon(sigma - 1e-5) > 2)
            configuration.maximumRounds = 0
            #expect(
                try await client.call(.post, "/v1/campaigns", token: harness.adminToken, json: configuration).status
                    == .badRequest)
        }
    }

    /// A configuration file's keys, then EQM_COORDINATOR_* variables, override the defaults;
    /// unknown keys and malformed values are refused with the file or variable named.
    @Test func configurationFileAndEnvironment() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"port": 9001, "data_dir": "/tmp/eqm-x", "log_level": "debug"}"#.utf8).write(to: file)
        var configuration = try CoordinatorConfiguration.load(file: file.path)
        #expect(configuration.port == 9001 && configuration.dataDirectory == "/tmp/eqm-x" && configuration.host == "127.0.0.1")
        try configuration.applyEnvironment(["EQM_COORDINATOR_PORT": "9002", "EQM_COORDINATOR_DATABASE": "postgres://db/eqm"])
        #expect(configuration.port == 9002 && configuration.databaseURL == "postgres://db/eqm")
        try configuration.validate()
        #expect(throws: CoordinatorError.self) { try configuration.applyEnvironment(["EQM_COORDINATOR_PORT": "many"]) }
        try Data(#"{"prot": 1}"#.utf8).write(to: file)
        #expect(throws: CoordinatorError.self) { try CoordinatorConfiguration.load(file: file.path) }
        var tls = CoordinatorConfiguration()
        tls.tlsCertificate = "cert.pem"
        #expect(throws: CoordinatorError.self) { try tls.validate() }
    }
}

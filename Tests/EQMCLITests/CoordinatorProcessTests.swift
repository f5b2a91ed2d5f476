import EQMAPI
import EQMClient
import EQMCompliance
import EQMCrypto
import Foundation
import Testing

/// A coordinator started as `eqm coordinator serve` in its own process, on loopback.
final class ServedCoordinator {
    let folder: URL
    private(set) var process: Process
    private(set) var port = 0
    let adminToken: String

    /// Starts a coordinator on a data folder; `port` 0 picks a free one.
    init(folder: URL, port: Int = 0) throws {
        self.folder = folder
        (process, self.port) = try Self.launch(folder: folder, port: port)
        let log = try String(contentsOf: folder.appendingPathComponent("serve-\(self.port).log"), encoding: .utf8)
        adminToken = try #require(
            log.firstMatch(of: /eqm_[0-9a-f]{12}_[0-9a-f]{64}/).map { String($0.0) }, "no admin token printed")
    }

    var url: String { "http://127.0.0.1:\(port)" }

    private static func launch(folder: URL, port: Int) throws -> (Process, Int) {
        let portFile = folder.appendingPathComponent("port")
        try? FileManager.default.removeItem(at: portFile)
        let process = Process()
        process.executableURL = EQMProcess.executable
        process.arguments = [
            "coordinator", "serve", "--data-dir", folder.appendingPathComponent("data").path, "--port", String(port),
            "--port-file", portFile.path, "--log-level", "info",
        ]
        let logName = folder.appendingPathComponent("serve-starting.log")
        FileManager.default.createFile(atPath: logName.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: logName)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let bound = Int(text), bound > 0 {
                let named = folder.appendingPathComponent("serve-\(bound).log")
                try? FileManager.default.removeItem(at: named)
                try? FileManager.default.moveItem(at: logName, to: named)
                return (process, bound)
            }
            usleep(20_000)
        }
        process.terminate()
        throw CoordinatorStartFailure(log: (try? String(contentsOf: logName, encoding: .utf8)) ?? "")
    }

    struct CoordinatorStartFailure: Error { var log: String }

    /// SIGKILL, no cleanup.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts again on the same folder and port.
    func restart() throws {
        (process, port) = try Self.launch(folder: folder, port: port)
    }

    /// The end of the coordinator's log, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOf: folder.appendingPathComponent("serve-\(port).log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(12).joined(separator: "\n")
    }

    /// SIGTERM; returns the exit status (graceful shutdown; the coordinator escalates to
    /// cancellation after 15 s).
    func stop() -> Int32 {
        process.terminate()
        let deadline = Date().addingTimeInterval(40)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill9() }
        return process.terminationStatus
    }
}

extension ProcessTests {
    @Suite(.serialized, .timeLimit(.minutes(3))) struct CoordinatorProcessTests {
        /// kill -9 in the middle of a round: the restarted coordinator rebuilds the round from the
        /// database and commits it; the nodes ride out the outage with retries; the ledger and audit
        /// trail then verify against the running coordinator with `eqm audit verify --coordinator`.
        @Test func killMidRoundThenRestart() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-coordinator-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let served = try ServedCoordinator(folder: folder)
            let retry = RetryPolicy(attempts: 12, initialDelay: .milliseconds(100), maximumDelay: .seconds(2))
            let admin = CoordinatorClient(baseURL: served.url, token: served.adminToken, retry: retry)
            let key = try PublicKey(hex: try await admin.info().signingKey)
            _ = try await admin.publishConsentText(.training, text: "Train the model on my device.")
            var nodes: [(client: CoordinatorClient, identity: SigningKey)] = []
            for index in 0..<4 {
                let identity = SigningKey()
                let enrollment = try await admin.enroll(
                    enrollmentToken: try await admin.createEnrollmentToken(label: "node \(index)").token, identity: identity)
                let client = CoordinatorClient(baseURL: served.url, token: enrollment.token, retry: retry)
                _ = try await client.consent(.training, granted: true)
                nodes.append((client, identity))
            }
            var configuration = CampaignConfiguration(name: "kill -9")
            configuration.samplingRate = 1
            configuration.maximumRounds = 1
            configuration.stageDeadline = 60
            let campaign = try await admin.createCampaign(configuration)

            let participants = Task {
                try await withThrowingTaskGroup(of: RoundParticipant.Outcome.self) { group in
                    for node in nodes {
                        group.addTask {
                            let participant = RoundParticipant(client: node.client, identity: node.identity, coordinatorKey: key)
                            var task: NodeTask?
                            for _ in 0..<1000 where task == nil {
                                task = try await node.client.tasks().first
                                if task == nil { try await Task.sleep(for: .milliseconds(20)) }
                            }
                            return try await participant.run(try #require(task)) { parameters in parameters.map { _ in Float(1e-3) } }
                        }
                    }
                    var outcomes: [RoundParticipant.Outcome] = []
                    for try await outcome in group { outcomes.append(outcome) }
                    return outcomes
                }
            }
            // Kill as soon as the round has reached the masked-input stage.
            var stage = 0
            for _ in 0..<2000 where stage < 2 {
                stage = try await admin.rounds(campaign: campaign.id).first?.stage ?? 0
                if stage < 2 { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(stage >= 2)
            served.kill9()
            try served.restart()

            let outcomes = try await participants.value
            #expect(outcomes.allSatisfy { $0 == .completed }, "\(outcomes)")
            var status = ""
            for _ in 0..<500 where status != "committed" {
                status = try await admin.rounds(campaign: campaign.id).first?.status ?? ""
                if status != "committed" { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == "committed")
            let log = try String(contentsOf: folder.appendingPathComponent("serve-\(served.port).log"), encoding: .utf8)
            #expect(log.contains("rebuilt from stored messages"), "the restarted coordinator did not resume the round")

            let verify = try EQMProcess.run([
                "audit", "verify", "--coordinator", served.url, "--token", served.adminToken, "--public-key", key.hex, "--json",
            ])
            #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
            let report = try verify.json()
            #expect(report["ok"] as? Bool == true)
            let ledgers = try #require(report["ledgers"] as? [String: [String: Any]])
            #expect(ledgers[campaign.id]?["applied"] as? Int == 1)
            #expect(served.stop() == 0, "graceful shutdown exits cleanly: \(served.logTail)")
        }

        /// `eqm node init`, `enroll` and `consent` against a coordinator process; `eqm model pull`
        /// writes a release whose signature verifies and refuses a wrong pinned key.
        @Test func nodeCommandsAndModelPull() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-node-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let served = try ServedCoordinator(folder: folder)
            defer { _ = served.stop() }
            let admin = CoordinatorClient(baseURL: served.url, token: served.adminToken)
            _ = try await admin.publishConsentText(.training, text: "Train on my device.")
            let keyFile = folder.appendingPathComponent("store.key")
            FileManager.default.createFile(
                atPath: keyFile.path, contents: Data(SecureRandom.bytes(count: 32).hexString.utf8),
                attributes: [.posixPermissions: 0o600])
            let store = ["--store", folder.appendingPathComponent("node").path, "--key-file", keyFile.path]

            let initialised = try EQMProcess.run(["node", "init", "--json"] + store)
            #expect(initialised.status == 0, "\(initialised.stderr)")
            let identity = try #require(try initialised.json()["identity_key"] as? String)
            #expect(try EQMProcess.run(["node", "init", "--json"] + store).json()["created"] as? Bool == false)

            let enrollmentToken = try await admin.createEnrollmentToken(label: "cli").token
            let enrolled = try EQMProcess.run(
                ["node", "enroll", "--coordinator", served.url, "--token", enrollmentToken, "--json"] + store)
            #expect(enrolled.status == 0, "\(enrolled.stderr)")
            let nodeID = try #require(try enrolled.json()["node_id"] as? String)
            // The token is spent: a second enrollment fails with a clear error.
            let again = try EQMProcess.run(["node", "enroll", "--coordinator", served.url, "--token", enrollmentToken] + store)
            #expect(again.status != 0 && again.stderr.contains("enrollment failed"))

            let granted = try EQMProcess.run(["node", "consent", "grant", "--purpose", "training", "--json"] + store)
            #expect(granted.status == 0, "\(granted.stderr)")
            #expect((try granted.json()["record"] as? String)?.contains(nodeID) == true)
            let shown = try EQMProcess.run(["node", "consent", "show", "--json"] + store).json()
            #expect((shown["current"] as? [String: Bool])?["training"] == true)

            // Withdrawal is as easy as granting, and takes effect at once.
            let withdrawn = try EQMProcess.run(["node", "consent", "withdraw", "--purpose", "training"] + store)
            #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
            let after = try EQMProcess.run(["node", "consent", "show", "--json"] + store).json()
            #expect((after["current"] as? [String: Bool])?["training"] == false)
            #expect(identity.count == 64)

            // Model pull with a developer token: verified against the pinned key.
            let campaign = try await admin.createCampaign(CampaignConfiguration(name: "pull"))
            let developer = try await admin.createToken(role: .developer, label: "dev")
            let key = try await admin.info().signingKey
            let out = folder.appendingPathComponent("release").path
            let pulled = try EQMProcess.run([
                "model", "pull", "--coordinator", served.url, "--campaign", campaign.id, "--token", developer.token, "--public-key",
                key,
                "--out", out, "--json",
            ])
            #expect(pulled.status == 0, "\(pulled.stderr)")
            #expect(try pulled.json()["id"] as? String == "\(campaign.id)/v0")
            let release = try ModelRelease.read(from: URL(fileURLWithPath: out))
            #expect(try release.signedModel.verify(trusting: try PublicKey(hex: key)).id == "\(campaign.id)/v0")
            let wrongKey = try EQMProcess.run([
                "model", "pull", "--coordinator", served.url, "--campaign", campaign.id, "--token", developer.token, "--public-key",
                SigningKey().publicKey.hex, "--out", folder.appendingPathComponent("other").path,
            ])
            #expect(wrongKey.status != 0)
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("other/model.eqmmodel").path))
        }
    }
}

extension ProcessTests {
    @Suite(.timeLimit(.minutes(3))) struct FederatedDemoTests {
        /// `eqm demo` (federated) with few nodes and rounds: every round commits, a dropout is
        /// survived, ε grows, and the ledger and audit trail verify.
        @Test func federatedDemoRunsEndToEnd() throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-demo-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let result = try EQMProcess.run([
                "demo", "--nodes", "5", "--rounds", "3", "--held-out-users", "2", "--minutes", "10", "--dropouts", "1", "--data-dir",
                folder.path, "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let output = try result.json()
            #expect(output["audit_ok"] as? Bool == true)
            let rounds = try #require(output["rounds"] as? [[String: Any]])
            #expect(rounds.count == 3)
            #expect(rounds.contains { $0["dropped"] as? Int == 1 })
            let epsilons = rounds.compactMap { $0["epsilon"] as? Double }
            #expect(epsilons.count == 3 && epsilons == epsilons.sorted() && epsilons[0] > 0)
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("release/card.sig").path))
        }
    }
}

/// The suites that start coordinator, node and demo processes run one after another: in
/// parallel, on two cores, they starve each other's processes of CPU and time out.
@Suite(.serialized) enum ProcessTests {}

import EQMAPI
import EQMClient
import EQMCompliance
import EQMCore
import EQMCrypto
import Foundation
import Testing

/// A node's store prepared through the CLI: `eqm node init`, `synthesize`, `enroll`, `consent grant`.
struct PreparedNode {
    let store: [String]
    let folder: URL

    static func prepare(
        in folder: URL, name: String, user: Int, coordinator: String, admin: CoordinatorClient
    ) async throws -> PreparedNode {
        let keyFile = folder.appendingPathComponent("\(name).key")
        FileManager.default.createFile(
            atPath: keyFile.path, contents: Data(SecureRandom.bytes(count: 32).hexString.utf8),
            attributes: [.posixPermissions: 0o600])
        let store = ["--store", folder.appendingPathComponent(name).path, "--key-file", keyFile.path]
        for arguments in [
            ["node", "init"],
            ["node", "synthesize", "--user", String(user), "--minutes", "8", "--seed", "3", "--start", "1760000000"],
            ["node", "enroll", "--coordinator", coordinator, "--token", try await admin.createEnrollmentToken(label: name).token],
            ["node", "consent", "grant", "--purpose", "training"],
        ] {
            let result = try EQMProcess.run(arguments + store)
            try #require(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return PreparedNode(store: store, folder: folder)
    }

    /// `eqm node ledger --json`.
    func ledger() throws -> [String: Any] {
        let result = try EQMProcess.run(["node", "ledger", "--json"] + store)
        try #require(result.status == 0, "\(result.stderr)")
        return try result.json()
    }
}

/// `eqm node run --json` in its own process; its events (JSON lines) go to a log file.
final class RunningNode {
    let node: PreparedNode
    let log: URL
    let pollSeconds: Double
    private(set) var process: Process

    init(_ node: PreparedNode, name: String, pollSeconds: Double = 0.1) throws {
        self.node = node
        self.pollSeconds = pollSeconds
        log = node.folder.appendingPathComponent("\(name).events")
        process = Process()
        try start()
    }

    private func start() throws {
        process = Process()
        process.executableURL = EQMProcess.executable
        process.arguments = [
            "node", "run", "--json", "--poll-seconds", String(pollSeconds), "--max-backoff-seconds", "1", "--duration", "150",
        ]
            + node.store
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The events so far.
    var events: [[String: Any]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Waits until an event matches (polling the log), at most `seconds`.
    func waitFor(_ seconds: Double, _ matches: ([String: Any]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if events.contains(where: matches) { return true }
            usleep(20_000)
        }
        return false
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func restart() throws { try start() }

    /// SIGTERM; the exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill9() }
        return process.terminationStatus
    }
}

/// Waits until `count` training rounds of a campaign have ended; returns their views.
func waitForRounds(_ admin: CoordinatorClient, campaign: String, count: Int, seconds: Double) async throws -> [RoundView] {
    let deadline = Date().addingTimeInterval(seconds)
    var finished: [RoundView] = []
    while Date() < deadline {
        finished = try await admin.rounds(campaign: campaign).filter { $0.kind == "training" && $0.status != "running" }
        if finished.count >= count { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    return finished
}

func testCampaign(_ name: String, rounds: Int) -> CampaignConfiguration {
    var configuration = CampaignConfiguration(name: name)
    configuration.samplingRate = 1
    configuration.maximumRounds = rounds
    configuration.stageDeadline = 10
    configuration.minimumParticipants = 3
    configuration.perUserEpsilonCap = 1_000
    configuration.globalEpsilonCap = 1_000
    return configuration
}

extension ProcessTests {
    @Suite(.serialized, .timeLimit(.minutes(5))) struct NodeProcessTests {
        func makeFolder(_ name: String) throws -> URL {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-\(name)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder
        }

        /// Five `eqm node run` daemons train with a coordinator process. One is killed with kill -9
        /// in the middle of round 1 and restarted: it does not re-enter that round, counts it
        /// (unconfirmed) in its own ledger, and completes rounds 2 and 3. Every node ends holding the
        /// final signed model, and `eqm node ledger` agrees with the coordinator's figure. Then
        /// `eqm node export` and `eqm node erase`.
        @Test func daemonsTrainSurviveANodeCrashAndPullTheModel() async throws {
            let folder = try makeFolder("node-run")
            defer { try? FileManager.default.removeItem(at: folder) }
            let served = try ServedCoordinator(folder: folder)
            defer { _ = served.stop() }
            let admin = CoordinatorClient(baseURL: served.url, token: served.adminToken)
            _ = try await admin.publishConsentText(.training, text: "Train on my device.")
            // Five nodes: with n = 5 SecAgg+ uses k = 4, t = 3 and survives one node leaving mid-round (with n = 4,
            // t = 3 of k = 3 neighbours, it could not).
            var prepared: [PreparedNode] = []
            for index in 0..<5 {
                prepared.append(
                    try await PreparedNode.prepare(in: folder, name: "node\(index)", user: index, coordinator: served.url, admin: admin))
            }
            // Polling every 20 s: the rounds only go this fast because the nodes follow /v1/events.
            let nodes = try prepared.enumerated().map { try RunningNode($1, name: "node\($0)", pollSeconds: 20) }
            defer { for node in nodes { _ = node.stop() } }
            for node in nodes { #expect(node.waitFor(30) { $0["event"] as? String == "started" }, "\(node.events)") }
            try await Task.sleep(for: .seconds(1))  // the event streams connect

            let campaign = try await admin.createCampaign(testCampaign("daemons", rounds: 3))
            // kill -9 node 0 as soon as it has entered round 1, then restart it.
            #expect(nodes[0].waitFor(30) { $0["event"] as? String == "round_started" && $0["round"] as? Int == 1 })
            nodes[0].kill9()
            try nodes[0].restart()

            let rounds = try await waitForRounds(admin, campaign: campaign.id, count: 3, seconds: 120)
            #expect(
                rounds.count == 3 && rounds.allSatisfy { $0.status == "committed" },
                "\(rounds)\nnode 0: \(nodes[0].events)\nnode 1: \(nodes[1].events)")
            let latest = "\(campaign.id)/v3"
            for node in nodes {
                #expect(node.waitFor(20) { $0["event"] as? String == "model_updated" && $0["detail"] as? String == latest })
            }
            // The restarted node skipped round 1 and took part in the later rounds.
            let restartedEnds = nodes[0].events.filter { $0["event"] as? String == "round_ended" }
            #expect(!restartedEnds.contains { $0["round"] as? Int == 1 })
            #expect(restartedEnds.filter { $0["detail"] as? String == "completed" }.count >= 1, "\(restartedEnds)")
            for node in nodes { #expect(node.stop() == 0) }

            // Each node's own ledger; the crashed node counts round 1 unconfirmed.
            let crashed = try prepared[0].ledger()
            let crashedRounds = try #require(crashed["rounds"] as? [[String: Any]])
            #expect(crashedRounds.contains { $0["round"] as? Int == 1 && $0["confirmed"] as? Bool == false })
            let steady = try prepared[1].ledger()
            let steadyRounds = try #require(steady["rounds"] as? [[String: Any]])
            #expect(steadyRounds.map { $0["round"] as? Int } == [1, 2, 3])
            #expect(steadyRounds.allSatisfy { $0["confirmed"] as? Bool == true })
            let ownEpsilon = try #require((steady["epsilon"] as? [String: Double])?[campaign.id])
            let check = try EQMProcess.run(["node", "ledger", "--coordinator-check", "--json"] + prepared[1].store)
            #expect(check.status == 0, "\(check.stderr)")
            let stated = try #require(((try check.json()["coordinator"] as? [String: Any])?[campaign.id] as? [String: Double])?["epsilon"])
            // The node uses the target σ; the coordinator the σ achieved, which meets the target: the node's figure is the
            // conservative one, and of the same size.
            #expect(ownEpsilon >= stated * 0.999 && ownEpsilon < stated * 2, "node \(ownEpsilon), coordinator \(stated)")

            // The held model predicts from standard input.
            let stream = try SyntheticStream(user: 9, minutes: 3, seed: 4, origin: 1_760_100_000)
            let lines = (0..<130).flatMap { stream.records(second: $0) }.joined(separator: "\n")
            let input = folder.appendingPathComponent("live.jsonl")
            try lines.write(to: input, atomically: true, encoding: .utf8)
            let predicted = try EQMProcess.run(["node", "predict", "--format", "jsonl", input.path] + prepared[1].store)
            #expect(predicted.status == 0, "\(predicted.stderr)")
            let predictions = predicted.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(predictions.count == 3)
            #expect(predictions.allSatisfy { EmotionLabel(rawValue: $0["label"] as? String ?? "") != nil })

            // Export: everything, decrypted; erase: the coordinator's tombstone, then the store is gone.
            let exported = try EQMProcess.run(["node", "export"] + prepared[2].store)
            #expect(exported.status == 0, "\(exported.stderr)")
            let document = try exported.json()
            #expect((document["series"] as? [[String: Any]])?.count == 7)
            #expect(((document["labels"] as? [Any])?.count ?? 0) > 0)
            #expect(!exported.stdout.contains("eqm_"), "the API token must not be exported")
            let refused = try EQMProcess.run(["node", "erase"] + prepared[2].store)
            #expect(refused.status != 0 && refused.stderr.contains("--yes"))
            let erased = try EQMProcess.run(["node", "erase", "--yes", "--json"] + prepared[2].store)
            #expect(erased.status == 0, "\(erased.stderr)")
            #expect((try erased.json()["tombstone"] as? [String: Any])?["signature"] != nil)
            #expect(!FileManager.default.fileExists(atPath: prepared[2].store[1]))
        }

        /// The coordinator stops while the daemons run: they back off, reconnect when it is back,
        /// and take part in the campaign created after the outage. Nothing local is lost.
        @Test func daemonsRideOutACoordinatorOutage() async throws {
            let folder = try makeFolder("node-outage")
            defer { try? FileManager.default.removeItem(at: folder) }
            let served = try ServedCoordinator(folder: folder)
            defer { _ = served.stop() }
            let admin = CoordinatorClient(baseURL: served.url, token: served.adminToken)
            _ = try await admin.publishConsentText(.training, text: "Train on my device.")
            var prepared: [PreparedNode] = []
            for index in 0..<3 {
                prepared.append(
                    try await PreparedNode.prepare(in: folder, name: "node\(index)", user: index, coordinator: served.url, admin: admin))
            }
            let nodes = try prepared.enumerated().map { try RunningNode($1, name: "node\($0)") }
            defer { for node in nodes { _ = node.stop() } }
            for node in nodes { #expect(node.waitFor(30) { $0["event"] as? String == "started" }) }

            #expect(served.stop() == 0, "graceful shutdown: \(served.logTail)")
            for node in nodes { #expect(node.waitFor(30) { $0["event"] as? String == "unreachable" }, "\(node.events)") }
            try served.restart()
            let campaign = try await admin.createCampaign(testCampaign("after the outage", rounds: 2))
            let rounds = try await waitForRounds(admin, campaign: campaign.id, count: 2, seconds: 120)
            #expect(rounds.count == 2 && rounds.allSatisfy { $0.status == "committed" }, "\(rounds)")
            for node in nodes {
                #expect(node.events.contains { $0["event"] as? String == "reconnected" })
                #expect(
                    node.waitFor(20) {
                        $0["event"] as? String == "model_updated" && $0["detail"] as? String == "\(campaign.id)/v2"
                    },
                    "\(node.events.suffix(8))")
            }
            for node in nodes { #expect(node.stop() == 0) }
            for node in prepared {
                let ledger = try node.ledger()
                #expect((ledger["rounds"] as? [[String: Any]])?.count == 2)
            }
        }
    }
}

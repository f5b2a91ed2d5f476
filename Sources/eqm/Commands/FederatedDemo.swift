import EQMAPI
import EQMClient
import EQMCompliance
import EQMCoordinator
import EQMCore
import EQMCrypto
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// The federated demo: a coordinator on loopback with its embedded SQLite store, N nodes that
/// each hold one synthetic user's data, SecAgg+ rounds with distributed DP over real HTTP, a
/// few injected dropouts, held-out evaluation on users who never trained, and the audit at the end.
struct FederatedDemo {
    var nodes: Int
    var heldOutUsers: Int
    var rounds: Int
    var minutes: Double
    var noiseMultiplier: Double
    var clipNorm: Double
    var localEpochs: Int
    var learningRate: Double
    var dropouts: Int
    var seed: UInt64
    var database: String?
    var dataDirectory: String
    var json: Bool

    struct RoundLine: Encodable {
        var round: Int, selected: Int, survived: Int, dropped: Int, accuracy: Double, macro_f1: Double, epsilon: Double,
            model: String
    }

    struct Output: Encodable {
        var nodes: Int, held_out_users: Int, rounds: [RoundLine], final_model: String, card: ModelCard, audit_ok: Bool
        var seconds: Double
    }

    func run() async throws {
        let clock = ContinuousClock(), started = clock.now
        let say: (String) -> Void = { line in if !json { print(line) } }

        // 1. Data: one synthetic user per node, plus held-out users nobody trains on.
        let cohort = CohortConfiguration(users: nodes + heldOutUsers, minutesPerUser: minutes, seed: seed)
        try cohort.validate()
        let spec = ModelSpec.mlp()
        var recordings: [UserRecording] = []
        for index in 0..<(nodes + heldOutUsers) {
            Terminal.progress("generating synthetic users: \(index + 1)/\(nodes + heldOutUsers)")
            recordings.append(try SyntheticCohort.recording(for: index, configuration: cohort))
        }
        Terminal.progress("cutting windows and computing features…")
        let dataset = try WindowDataset.build(recordings: recordings, representation: WindowDataset.representation(for: spec))
        let users = dataset.users
        let heldOutIDs = Set(users.suffix(heldOutUsers))
        let (training, heldOut) = dataset.split(heldOutUsers: heldOutIDs)
        let evaluation = try heldOut.labelledExamples()
        let perNode: [LabelledExamples] = try training.users.map { user in
            try training.split(heldOutUsers: [user]).heldOut.labelledExamples()
        }
        Terminal.endProgress()

        // 2. The coordinator, in process, on 127.0.0.1 with a free port.
        var settings = CoordinatorConfiguration()
        settings.port = 0
        settings.dataDirectory = dataDirectory
        settings.database = database
        settings.tickInterval = 0.05
        settings.logLevel = "warning"
        var logger = Logger(label: "eqm.demo.coordinator")
        logger.logLevel = .warning
        try? FileManager.default.removeItem(atPath: dataDirectory)
        let (server, adminToken) = try await CoordinatorServer.open(configuration: settings, logger: logger)
        guard let adminToken else { throw CommandFailure("the demo's data folder already had a coordinator") }
        let port = BoundPort()
        let app = try server.application { bound in port.value.withLock { $0 = bound } }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let serving = Task { try await group.run() }
        defer { serving.cancel() }
        for _ in 0..<500 where port.value.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let url = "http://127.0.0.1:\(port.value.withLock { $0 })"
        let admin = CoordinatorClient(baseURL: url, token: adminToken)
        let key = try PublicKey(hex: try await admin.info().signingKey)
        say("EQM federated demo — coordinator on \(url) (\(database == nil ? "SQLite in \(dataDirectory)" : "PostgreSQL"))")
        say(
            "  \(perNode.count) nodes, each with one synthetic user's data (\(perNode.map(\.count).reduce(0, +)) windows in all, never sent)"
        )
        say("  \(heldOutUsers) held-out users (\(evaluation.count) windows) who never train: the accuracy below is theirs")

        // 3. Enrollment and consent, as each node would do.
        _ = try await admin.publishConsentText(
            .training, text: "Train the stress and emotion model on my device; only masked, noised updates leave it.")
        var clients: [(client: CoordinatorClient, identity: SigningKey)] = []
        for index in 0..<perNode.count {
            Terminal.progress("enrolling node \(index + 1)/\(perNode.count)")
            let identity = SigningKey()
            let enrollment = try await admin.enroll(
                enrollmentToken: try await admin.createEnrollmentToken(label: "demo node").token, identity: identity)
            let client = CoordinatorClient(baseURL: url, token: enrollment.token)
            _ = try await client.consent(.training, granted: true)
            clients.append((client, identity))
        }
        Terminal.endProgress()

        var configuration = CampaignConfiguration(name: "federated demo")
        configuration.samplingRate = 1
        configuration.maximumRounds = rounds
        configuration.noiseMultiplier = noiseMultiplier
        configuration.clipNorm = clipNorm
        configuration.localEpochs = localEpochs
        configuration.localLearningRate = learningRate
        configuration.stageDeadline = 4
        configuration.globalEpsilonCap = 1_000
        configuration.perUserEpsilonCap = 1_000
        configuration.serverOptimizer = .fedAvg(learningRate: 1)
        let campaign = try await admin.createCampaign(configuration)
        say(
            "  campaign \(campaign.id): MLP \(spec.layers.count) layers, SecAgg+ with distributed DP σ = \(noiseMultiplier), C = \(clipNorm), user-level δ = \(configuration.delta), FedAvg"
        )
        say("")
        say("  round  selected  survived  dropped   held-out acc   macro-F1        ε   model")

        // 4. Rounds: every node follows its tasks; a few drop out on purpose.
        var lines: [RoundLine] = []
        var reported = 0
        let nodeTasks = clients.enumerated().map { position, node in
            Task { () -> Void in
                let participant = RoundParticipant(client: node.client, identity: node.identity, coordinatorKey: key)
                let data = perNode[position]
                var done = Set<Int>()
                while !Task.isCancelled {
                    guard
                        let task = try? await node.client.tasks().first(where: {
                            $0.kind == "training" && !done.contains($0.round)
                        })
                    else {
                        try? await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    done.insert(task.round)
                    // Nodes 0, 1, … drop after sharing keys in rounds 2, 3, … (dropouts in total).
                    let drops = position < dropouts && task.round == position + 2
                    _ = try? await participant.run(task, dropAt: drops ? .afterSharing : nil) { parameters in
                        try LocalTraining.update(
                            spec: spec, base: parameters, data: data, epochs: task.localEpochs, batch: 32,
                            learningRate: task.localLearningRate, seed: UInt64(position))
                    }
                }
            }
        }
        defer { nodeTasks.forEach { $0.cancel() } }
        let deadline = clock.now + .seconds(600)
        while reported < rounds && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let finished = try await admin.rounds(campaign: campaign.id).filter {
                $0.kind == "training" && $0.status != "running"
            }
            for round in finished.dropFirst(reported) {
                reported += 1
                let view = try await admin.campaign(campaign.id)
                guard round.status == "committed", let version = view.latestVersion else {
                    say("  \(String(format: "%5d", round.round))  \(round.status): \(round.reason ?? "")")
                    continue
                }
                let ledger = try await admin.ledger(campaign: campaign.id)
                let entry = ledger.links.dropFirst().compactMap {
                    try? JSONDecoder().decode(LedgerEntry.self, from: Data($0.payload.utf8))
                }
                .last { $0.round == round.round }
                let signed = try await admin.verifiedModel(id: version, trusting: key)
                let metrics = try Evaluation.evaluate(try ModelFile.decode(signed.model).model, on: evaluation)
                let line = RoundLine(
                    round: round.round, selected: entry?.selected ?? round.selected, survived: entry?.survived ?? 0,
                    dropped: entry?.dropped ?? 0,
                    accuracy: metrics.accuracy, macro_f1: metrics.macroF1, epsilon: view.epsilon, model: version)
                lines.append(line)
                say(
                    String(
                        format: "  %5d  %8d  %8d  %7d   %11.1f%%   %8.3f  %7.2f   %@", line.round, line.selected, line.survived,
                        line.dropped,
                        100 * line.accuracy, line.macro_f1, line.epsilon, line.model))
            }
        }
        nodeTasks.forEach { $0.cancel() }

        // 5. The final model, its card, and the audit.
        let view = try await admin.campaign(campaign.id)
        guard let latest = view.latestVersion else { throw CommandFailure("no model version was released") }
        let final = try await admin.verifiedModel(id: latest, trusting: key)
        let out = URL(fileURLWithPath: dataDirectory).appendingPathComponent("release")
        try? FileManager.default.removeItem(at: out)
        try ModelRelease(final).write(to: out)
        let ledger = try await admin.ledger(campaign: campaign.id)
        let trail = try await admin.auditTrail()
        let ledgerReport = LedgerVerifier(accountants: LedgerAccountants.all).verify(ledger, publicKey: key)
        let trailProblems = AuditTrail.chain.verify(trail.links, checkpoints: trail.checkpoints, publicKey: key)
        let auditOK = ledgerReport.ok && trailProblems.isEmpty
        let seconds = (clock.now - started).seconds
        if json {
            try Terminal.printJSON(
                Output(
                    nodes: perNode.count, held_out_users: heldOutUsers, rounds: lines, final_model: latest, card: final.card,
                    audit_ok: auditOK,
                    seconds: seconds))
        } else {
            say("")
            say("  final model \(latest), signed by \(key.hex.prefix(16))…, written to \(out.path)")
            say(
                "    card: \(final.card.parameterCount) parameters, \(final.card.participants) contributors in its round, ε = \(final.card.privacy.epsilon.map { String(format: "%.2f", $0) } ?? "none") at δ = \(final.card.privacy.delta) (\(final.card.privacy.unit))"
            )
            say(
                "  audit: ledger \(ledgerReport.entries) entries, ε recomputed \(String(format: "%.2f", ledgerReport.globalEpsilon)): \(ledgerReport.ok ? "verified" : "\(ledgerReport.problems.count) problem(s)"); audit trail \(trail.links.count) entries: \(trailProblems.isEmpty ? "verified" : "\(trailProblems.count) problem(s)")"
            )
            say(String(format: "  done in %.1f s", seconds))
        }
        await group.triggerGracefulShutdown()
        _ = await serving.result
        if !auditOK { throw CommandFailure("the audit found problems") }
    }
}

/// The port the in-process coordinator bound, set from its start-up callback.
final class BoundPort: Sendable {
    let value = Mutex(0)
}

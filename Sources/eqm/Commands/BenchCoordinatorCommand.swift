import ArgumentParser
import AsyncHTTPClient
import EQMAPI
import EQMClient
import EQMCompliance
import EQMCrypto
import Foundation
import NIOCore
import Synchronization

struct BenchCoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "One secure round through a real coordinator process on loopback with N simulated nodes.",
        discussion: """
            Reference configuration: --nodes 1000 --params 100000. Starts `eqm coordinator serve` (SQLite in a temporary \
            folder, or --database) as a child process, enrolls N nodes over HTTP, gives them consent, creates a campaign \
            (MLP widened to at least D parameters, distributed DP with σ = 1, sampling rate 1, FedAvg), and runs one round: \
            every node advertises keys, shares, sends its masked update (D values) and answers the unmask request over HTTP. \
            Reports per stage the submissions per second and the p50/p99 latency of a submission as the nodes see it, the \
            round's wall time, and the coordinator process's peak resident memory. The nodes run in this process (their \
            cryptography competes with the coordinator for the same cores). Build with -c release.
            """
    )

    @Option(help: "Simulated nodes.") var nodes: Int = 100
    @Option(help: "Model parameters (the MLP is widened until it has at least this many).") var params: Int = 100_000
    @Option(help: "postgres://… to bench on PostgreSQL instead of SQLite.") var database: String?
    @Option(help: "Concurrent HTTP connections from the simulated nodes.") var connections: Int = 64
    @Option(name: .customLong("poll-ms"), help: "How often a waiting node asks for its stage output (milliseconds).")
    var pollMilliseconds: Int = 250
    @Flag(help: "Print one JSON object.") var json = false

    struct StageResult: Encodable {
        var stage: Int, name: String, submissions: Int, submissions_per_second: Double, p50_ms: Double, p99_ms: Double
    }

    struct Output: Encodable {
        var nodes: Int, params: Int, database: String, round_seconds: Double, enroll_seconds: Double
        var stages: [StageResult]
        var coordinator_peak_memory_bytes: Int?
        /// CPU the coordinator process used during the round (the simulated nodes use the rest).
        var coordinator_round_cpu_seconds: Double?
        var committed: Bool, survivors_completed: Int
    }

    func validate() throws {
        guard (3...10_000).contains(nodes) else { throw ValidationError("--nodes must be in 3...10000") }
        guard (1_000...2_000_000).contains(params) else { throw ValidationError("--params must be in 1000...2000000") }
        guard (10...10_000).contains(pollMilliseconds) else { throw ValidationError("--poll-ms must be in 10...10000") }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eqm-bench-coordinator-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        Terminal.progress("starting the coordinator")
        let child = try ChildCoordinator(folder: folder, database: database)
        defer { child.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await bench(child: child, http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
    }

    private func bench(child: ChildCoordinator, http: HTTPClient) async throws {
        let retry = RetryPolicy(attempts: 8, initialDelay: .milliseconds(200), maximumDelay: .seconds(5))
        let url = child.url
        let admin = CoordinatorClient(baseURL: url, token: child.adminToken, timeout: .seconds(300), retry: retry, http: http)
        let key = try PublicKey(hex: try await admin.info().signingKey)
        _ = try await admin.publishConsentText(.training, text: "Benchmark training.")

        // Enroll and consent, 32 at a time.
        Terminal.progress("enrolling \(nodes) nodes")
        let enrollStart = ContinuousClock.now
        var enrolled: [(client: CoordinatorClient, identity: SigningKey)] = []
        for batch in stride(from: 0, to: nodes, by: 32) {
            let count = min(32, nodes - batch)
            let tokens = try await (0..<count).asyncMap { _ in try await admin.createEnrollmentToken(label: "bench").token }
            let batchNodes = try await withThrowingTaskGroup(of: (CoordinatorClient, SigningKey).self) { group in
                for token in tokens {
                    group.addTask {
                        let identity = SigningKey()
                        let enrollment = try await admin.enroll(enrollmentToken: token, identity: identity)
                        let client = CoordinatorClient(
                            baseURL: url, token: enrollment.token, timeout: .seconds(300), retry: retry, http: http)
                        _ = try await client.consent(.training, granted: true)
                        return (client, identity)
                    }
                }
                var result: [(CoordinatorClient, SigningKey)] = []
                for try await node in group { result.append(node) }
                return result
            }
            enrolled += batchNodes.map { (client: $0.0, identity: $0.1) }
        }
        let enrollSeconds = (ContinuousClock.now - enrollStart).seconds

        // An MLP 48 → h → h → 11 has h² + 61h + 11 parameters.
        let width = Int((-61 + (61.0 * 61 - 4 * (11 - Double(params))).squareRoot()) / 2) + 1
        var campaign = CampaignConfiguration(name: "bench")
        campaign.mlpHidden = [width, width]
        campaign.samplingRate = 1
        campaign.maximumRounds = 1
        campaign.stageDeadline = 600
        campaign.minimumParticipants = 3
        let created = try await admin.createCampaign(campaign)
        let actualParams = width * width + 61 * width + 11

        Terminal.progress("running one round: \(nodes) nodes × \(actualParams) parameters")
        let samples = SubmissionLog()
        let participants = enrolled
        let update = (0..<actualParams).map { _ in Float.random(in: -1e-3...1e-3) }
        let roundStart = ContinuousClock.now
        let cpuBefore = child.cpuSeconds
        let outcomes = try await withThrowingTaskGroup(of: RoundParticipant.Outcome.self) { group in
            for node in participants {
                group.addTask {
                    var participant = RoundParticipant(client: node.client, identity: node.identity, coordinatorKey: key)
                    participant.pollInterval = .milliseconds(pollMilliseconds)
                    participant.onSubmit = { stage, start, seconds in samples.record(stage: stage, start: start, seconds: seconds)
                    }
                    var task: NodeTask?
                    for _ in 0..<2400 where task == nil {
                        task = try await node.client.tasks().first
                        if task == nil { try await Task.sleep(for: .milliseconds(250)) }
                    }
                    guard let task else { return .excluded("never selected") }
                    return try await participant.run(task) { _ in update }
                }
            }
            var outcomes: [RoundParticipant.Outcome] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var committed = false
        for _ in 0..<6000 where !committed {
            committed = try await admin.rounds(campaign: created.id).first?.status == "committed"
            if !committed { try await Task.sleep(for: .milliseconds(100)) }
        }
        let roundSeconds = (ContinuousClock.now - roundStart).seconds
        let names = ["advertise keys", "share keys", "masked input", "unmask"]
        let stages = samples.entries.withLock { samples in
            (0..<4).map { stage -> StageResult in
                let list = samples[stage] ?? []
                let latencies = list.map(\.seconds).sorted()
                let first = list.map(\.start).min(), last = list.map { $0.start + .seconds($0.seconds) }.max()
                let window = first.flatMap { first in last.map { ($0 - first).seconds } } ?? 0
                func percentile(_ p: Double) -> Double {
                    latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] * 1000
                }
                return StageResult(
                    stage: stage, name: names[stage], submissions: list.count,
                    submissions_per_second: window > 0 ? Double(list.count) / window : 0, p50_ms: percentile(0.5),
                    p99_ms: percentile(0.99))
            }
        }
        let output = Output(
            nodes: nodes, params: actualParams, database: database == nil ? "sqlite" : "postgres", round_seconds: roundSeconds,
            enroll_seconds: enrollSeconds, stages: stages, coordinator_peak_memory_bytes: child.peakMemory,
            coordinator_round_cpu_seconds: child.cpuSeconds.flatMap { after in cpuBefore.map { after - $0 } },
            committed: committed,
            survivors_completed: outcomes.filter { $0 == .completed }.count)
        if json {
            try Terminal.printJSON(output)
        } else {
            print(
                "coordinator bench: \(nodes) nodes × \(actualParams) parameters on \(output.database), round \(String(format: "%.2f", roundSeconds)) s, committed: \(committed)"
            )
            for stage in stages {
                print(
                    String(
                        format: "  %@ %5d submissions  %8.1f /s  p50 %8.2f ms  p99 %8.2f ms",
                        stage.name.padding(toLength: 15, withPad: " ", startingAt: 0), stage.submissions,
                        stage.submissions_per_second, stage.p50_ms, stage.p99_ms))
            }
            if let peak = output.coordinator_peak_memory_bytes { print("  coordinator peak memory \(peak / 1_048_576) MB") }
            if let cpu = output.coordinator_round_cpu_seconds {
                print(String(format: "  coordinator CPU during the round %.1f s", cpu))
            }
        }
        if !committed { throw CommandFailure("the round did not commit") }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

/// Submission timings by stage, from many node tasks.
final class SubmissionLog: Sendable {
    let entries = Mutex<[Int: [(start: ContinuousClock.Instant, seconds: Double)]]>([:])

    func record(stage: Int, start: ContinuousClock.Instant, seconds: Double) {
        entries.withLock { $0[stage, default: []].append((start, seconds)) }
    }
}

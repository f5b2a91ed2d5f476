public import EQMAPI
import EQMCompliance
public import EQMCore
public import EQMCrypto
import EQMProtocols
import NIOCore
import Foundation
import Synchronization

/// The node's long-running loop (`eqm node run`): follows the coordinator's event stream and
/// asks for its tasks whenever something happens (and every poll interval regardless), trains on
/// local data and takes part in SecAgg+ when selected, answers evaluation rounds with counts,
/// and keeps the newest model version of its campaign, verified, in the store.
///
/// Resilience: every request has a timeout and retries with backoff and jitter
/// (``CoordinatorClient``); while the coordinator is unreachable the loop backs off
/// exponentially (with jitter) up to ``Configuration/maximumBackoff`` and loses nothing. Each
/// round is written to the journal as `interrupted` before the node enters it and with its
/// outcome after, so a node killed mid-round never re-enters that round after a restart and
/// takes part again from the next one.
public final class NodeDaemon {
    public struct Configuration: Sendable {
        /// Time between task checks while idle.
        public var pollInterval: Duration = .seconds(1)
        /// Time between checks for a stage output during a round.
        public var stagePollInterval: Duration = .milliseconds(100)
        /// The longest wait between attempts while the coordinator is unreachable.
        public var maximumBackoff: Duration = .seconds(30)
        /// Stop after this many training rounds ended (any outcome); nil runs until cancelled.
        public var maximumRounds: Int?
        /// Stop after this long; nil runs until cancelled.
        public var maximumDuration: Duration?
        /// Seed of the local SGD's batch order (not of any key or noise).
        public var seed: UInt64 = UInt64.random(in: 0...UInt64.max)
        public init() {}
    }

    /// What the loop reports as it goes.
    public enum Event: Sendable {
        case started(nodeID: String, coordinator: String, windows: Int?)
        case unreachable(String, retryIn: Duration)
        case reconnected
        case roundStarted(campaign: String, round: Int, kind: String)
        case roundEnded(campaign: String, round: Int, kind: String, outcome: String)
        case modelUpdated(String)
        case skipped(campaign: String, round: Int, reason: String)
    }

    /// What a run did.
    public struct Summary: Sendable, Hashable, Codable {
        public var trainingRounds = 0
        public var completedRounds = 0
        public var evaluationRounds = 0
        public var currentModel: String?
        public var outages = 0
    }

    public let store: LocalStore
    public let enrollment: NodeEnrollment
    public var configuration: Configuration
    public var onEvent: (@Sendable (Event) -> Void)?
    private let identity: SigningKey
    private let coordinatorKey: PublicKey
    private let client: CoordinatorClient
    private let data: NodeData.Snapshot
    private let examples = ExampleCache()

    /// Opens the daemon on an initialised, enrolled store; reads the node's data once.
    public init(store: LocalStore, configuration: Configuration = Configuration(), client: CoordinatorClient? = nil) throws {
        guard let identity = try store.identity() else { throw NodeError("this store has no node identity: run `eqm node init`") }
        guard let enrollment = try store.enrollment() else { throw NodeError("this node is not enrolled: run `eqm node enroll`") }
        self.store = store
        self.enrollment = enrollment
        self.identity = identity
        self.configuration = configuration
        self.coordinatorKey = try PublicKey(hex: enrollment.coordinatorKey)
        self.client = client ?? CoordinatorClient(baseURL: enrollment.coordinator, token: enrollment.token)
        self.data = try NodeData.Snapshot(store: store)
    }

    /// Runs until cancelled, or until the configured number of rounds or duration.
    public func run() async throws -> Summary {
        let clock = ContinuousClock()
        let stopAt = configuration.maximumDuration.map { clock.now + $0 }
        var journal = try store.journal()
        if journal.settleInterrupted() { try store.saveJournal(journal) }
        var summary = Summary(currentModel: journal.currentModel)
        var failures = 0
        onEvent?(
            .started(
                nodeID: enrollment.nodeID, coordinator: enrollment.coordinator,
                windows: try? examples.examples(for: .mlp(), from: data).count))
        var participant = RoundParticipant(client: client, identity: identity, coordinatorKey: coordinatorKey)
        participant.pollInterval = configuration.stagePollInterval
        let wakeups = EventWakeups()
        let listener = Task { [client = self.client] in
            if let token = client.token { await wakeups.follow(baseURL: client.baseURL, token: token) }
        }
        defer { listener.cancel() }

        while !Task.isCancelled {
            if let stopAt, clock.now >= stopAt { break }
            if let limit = configuration.maximumRounds, summary.trainingRounds >= limit { break }
            let tasks: [NodeTask]
            switch await fetchTasks() {
            case .success(let list):
                if failures > 0 { onEvent?(.reconnected) }
                failures = 0
                tasks = list
            case .failure(let error) where error.status == nil || error.status == 429 || (error.status ?? 0) >= 500:
                failures += 1
                if failures == 1 { summary.outages += 1 }
                let wait = backoff(after: failures)
                onEvent?(.unreachable(error.message, retryIn: wait))
                try? await Task.sleep(for: wait)
                continue
            case .failure(let error):
                throw NodeError("the coordinator refused this node: \(error)")
            }

            for task in tasks {
                let key = NodeJournal.key(task.campaign, task.round, task.kind)
                guard journal.rounds[key] == nil else { continue }
                journal.campaign = task.campaign
                journal.rounds[key] = "interrupted"
                if task.kind != "evaluation" { journal.pending = Self.participation(in: task) }
                try store.saveJournal(journal)
                onEvent?(.roundStarted(campaign: task.campaign, round: task.round, kind: task.kind))
                let outcome: String
                if task.kind == "evaluation" {
                    outcome = await evaluate(task)
                    summary.evaluationRounds += 1
                } else {
                    let (text, sent) = await train(task, participant: participant)
                    outcome = text
                    summary.trainingRounds += 1
                    if text == "completed" { summary.completedRounds += 1 }
                    if sent, let participation = journal.pending { journal.participations.append(participation) }
                    journal.pending = nil
                }
                journal.rounds[key] = outcome
                try store.saveJournal(journal)
                onEvent?(.roundEnded(campaign: task.campaign, round: task.round, kind: task.kind, outcome: outcome))
            }
            if let updated = await pullLatest(journal) {
                journal.currentModel = updated
                try store.saveJournal(journal)
                summary.currentModel = updated
                onEvent?(.modelUpdated(updated))
            }
            if tasks.isEmpty { await wakeups.wait(upTo: jittered(configuration.pollInterval)) }
        }
        return summary
    }

    /// One training round: local SGD on the node's windows from the verified base model. Returns
    /// the outcome and whether the node's masked update was accepted.
    private func train(_ task: NodeTask, participant: RoundParticipant) async -> (String, Bool) {
        guard task.stage == 0 else { return ("excluded: the round was past key advertisement", false) }
        let sent = SentFlag()
        var participant = participant
        participant.onSubmit = { stage, _, _ in if stage == 2 { sent.value.withLock { $0 = true } } }
        let (data, examples, seed) = (self.data, self.examples, configuration.seed &+ UInt64(task.round))
        let outcome: String
        do {
            let result = try await participant.runTraining(task) { model in
                let local = try examples.examples(for: model.spec, from: data)
                return try LocalTraining.update(
                    spec: model.spec, base: model.parameterVector(), data: local, epochs: task.localEpochs,
                    batch: task.localBatchSize, learningRate: task.localLearningRate, seed: seed)
            }
            switch result {
            case .completed: outcome = "completed"
            case .dropped(let point): outcome = "dropped: \(point)"
            case .excluded(let reason): outcome = "excluded: \(reason)"
            }
        } catch {
            outcome = "failed: \(error)"
        }
        return (outcome, sent.value.withLock { $0 })
    }

    /// What a round's configuration says about the privacy of the node's update.
    static func participation(in task: NodeTask) -> NodeJournal.Participation? {
        guard let configuration = try? JSONDecoder().decode(RoundConfiguration.self, from: Data(task.configuration.utf8))
        else { return nil }
        let encoding = configuration.encoding
        return NodeJournal.Participation(
            campaign: task.campaign, round: task.round, noiseMultiplier: encoding.noiseMultiplier, clipNorm: encoding.clipNorm,
            privacy: "\(encoding.privacy)", time: Date().timeIntervalSince1970)
    }

    /// One evaluation round: the served version scored on the node's labelled windows.
    private func evaluate(_ task: NodeTask) async -> String {
        var participant = RoundParticipant(client: client, identity: identity, coordinatorKey: coordinatorKey)
        participant.pollInterval = configuration.stagePollInterval
        let (data, examples) = (self.data, self.examples)
        do {
            try await participant.evaluate(task) { model, version in
                try LocalTraining.evaluation(of: model, on: try examples.examples(for: model.spec, from: data), version: version)
            }
            return "completed"
        } catch {
            return "failed: \(error)"
        }
    }

    /// Downloads and keeps the campaign's newest version for this node's cohort when it changed.
    private func pullLatest(_ journal: NodeJournal) async -> String? {
        guard let campaign = journal.campaign else { return nil }
        guard let signed = try? await client.verifiedModel(campaign: campaign, version: "latest", trusting: coordinatorKey),
            signed.card.id != journal.currentModel
        else { return nil }
        do { try store.saveCurrentModel(signed) } catch { return nil }
        return signed.card.id
    }

    /// One short attempt: while the coordinator is down, the loop's own backoff paces the retries
    /// (the HTTP client keeps trying to connect until a request's deadline).
    private func fetchTasks() async -> Result<[NodeTask], CoordinatorClientError> {
        var poll = client
        poll.retry = .none
        poll.timeout = .seconds(5)
        do { return .success(try await poll.tasks()) } catch { return .failure(error) }
    }

    /// Exponential backoff with full jitter: uniform in [½, 1] × min(maximum, poll × 2^failures).
    private func backoff(after failures: Int) -> Duration {
        let cap = min(configuration.maximumBackoff, configuration.pollInterval * (1 << min(failures, 16)))
        return cap * Double.random(in: 0.5...1)
    }

    private func jittered(_ interval: Duration) -> Duration { interval * Double.random(in: 0.8...1.2) }
}

/// Examples per model architecture, computed once and shared by the daemon's round tasks.
final class ExampleCache: Sendable {
    private let cache = Mutex<[ModelSpec: LabelledExamples]>([:])

    func examples(for spec: ModelSpec, from data: NodeData.Snapshot) throws -> LabelledExamples {
        if let cached = cache.withLock({ $0[spec] }) { return cached }
        let built = try data.examples(spec: spec)
        cache.withLock { $0[spec] = built }
        return built
    }
}

/// Set once the node's masked update was accepted (stage 2).
private final class SentFlag: Sendable {
    let value = Mutex(false)
}

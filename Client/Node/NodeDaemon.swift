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
        let usable = (try? examples.split(for: .mlp(), from: data).training.count) ?? 0
        onEvent?(.started(nodeID: enrollment.nodeID, coordinator: enrollment.coordinator, windows: usable))
        var participant = RoundParticipant(client: client, identity: identity, coordinatorKey: coordinatorKey)
        participant.pollInterval = configuration.stagePollInterval
        let wakeups = EventWakeups()
        let listener = Task { [client = self.client] in
            if let token = client.token { await wakeups.follow(baseURL: client.baseURL, token: token) }
        }
        defer { listener.cancel() }
        var lastPull: (events: Int, time: ContinuousClock.Instant)?
        // After a training round its version appears once the coordinator commits: look for it on
        // every pass until a version from that round (or a later one) arrives, for up to 30 s (the
        // round may also be aborted).
        var awaited: (round: Int, until: ContinuousClock.Instant)?

        while !Task.isCancelled {
            if let stopAt, clock.now >= stopAt { break }
            if let limit = configuration.maximumRounds, summary.trainingRounds >= limit { break }
            // Read before asking: an event arriving while the node works ends the next wait at once.
            let seenEvents = wakeups.events
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

            // Tasks already dealt with stay listed until their round closes: they are skipped, and
            // the loop waits below rather than asking again at once.
            var handled = false
            for task in tasks {
                let key = NodeJournal.key(task.campaign, task.round, task.kind)
                guard journal.rounds[key] == nil else { continue }
                handled = true
                journal.campaign = task.campaign
                if task.kind != "evaluation" && usable == 0 {
                    // Advertising keys and then leaving would cost the round its threshold.
                    journal.rounds[key] = "skipped: no labelled windows"
                    try store.saveJournal(journal)
                    onEvent?(.skipped(campaign: task.campaign, round: task.round, reason: "no labelled windows to train on"))
                    continue
                }
                journal.rounds[key] = "interrupted"
                if task.kind != "evaluation" { journal.pending = Self.participation(in: task) }
                try store.saveJournal(journal)
                onEvent?(.roundStarted(campaign: task.campaign, round: task.round, kind: task.kind))
                let outcome: String
                if task.kind == "evaluation" {
                    outcome = await evaluate(task)
                    summary.evaluationRounds += 1
                } else {
                    let (text, submission) = await train(task, participant: participant)
                    outcome = text
                    awaited = (task.round, clock.now + .seconds(30))
                    summary.trainingRounds += 1
                    if text == "completed" { summary.completedRounds += 1 }
                    if submission != .none, var participation = journal.pending {
                        // Sent but not acknowledged (a timeout): it may be in the sum, so it counts, unconfirmed.
                        participation.confirmed = submission == .accepted
                        journal.participations.append(participation)
                    }
                    journal.pending = nil
                }
                journal.rounds[key] = outcome
                try store.saveJournal(journal)
                onEvent?(.roundEnded(campaign: task.campaign, round: task.round, kind: task.kind, outcome: outcome))
            }
            // A new version follows a round or an event: check then, and once a minute anyway.
            if let wait = awaited, clock.now >= wait.until { awaited = nil }
            if handled || awaited != nil
                || lastPull.map({ $0.events != wakeups.events || clock.now - $0.time > .seconds(60) }) ?? true
            {
                lastPull = (wakeups.events, clock.now)
                if let card = await pullLatest(journal) {
                    journal.currentModel = card.id
                    try store.saveJournal(journal)
                    summary.currentModel = card.id
                    if let wait = awaited, (card.round ?? 0) >= wait.round { awaited = nil }
                    onEvent?(.modelUpdated(card.id))
                }
            }
            if !handled { await wakeups.wait(since: seenEvents, upTo: jittered(configuration.pollInterval)) }
        }
        return summary
    }

    /// How far the node's masked update got.
    enum Submission: Sendable { case none, attempted, accepted }

    /// One training round: local SGD on the node's training windows from the verified base model.
    private func train(_ task: NodeTask, participant: RoundParticipant) async -> (String, Submission) {
        guard task.stage == 0 else { return ("excluded: the round was past key advertisement", .none) }
        let submission = SubmissionState()
        var participant = participant
        participant.willSubmit = { stage in if stage == 2 { submission.value.withLock { $0 = .attempted } } }
        participant.onSubmit = { stage, _, _ in if stage == 2 { submission.value.withLock { $0 = .accepted } } }
        let (data, examples) = (self.data, self.examples)
        let seed = configuration.seed &+ UInt64(truncatingIfNeeded: task.round)
        let outcome: String
        do {
            let result = try await participant.runTraining(task) { model in
                let local = try examples.split(for: model.spec, from: data).training
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
        return (outcome, submission.value.withLock { $0 })
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

    /// One evaluation round: the served version scored on the node's held-out windows (the latest
    /// fifth, never trained on).
    private func evaluate(_ task: NodeTask) async -> String {
        var participant = RoundParticipant(client: client, identity: identity, coordinatorKey: coordinatorKey)
        participant.pollInterval = configuration.stagePollInterval
        let (data, examples) = (self.data, self.examples)
        do {
            try await participant.evaluate(task) { model, version in
                guard let heldOut = try examples.split(for: model.spec, from: data).heldOut else {
                    throw NodeError("too few labelled windows to hold any out for evaluation")
                }
                return try LocalTraining.evaluation(of: model, on: heldOut, version: version)
            }
            return "completed"
        } catch {
            return "failed: \(error)"
        }
    }

    /// Downloads and keeps the campaign's newest version for this node's cohort when it changed;
    /// returns its card.
    private func pullLatest(_ journal: NodeJournal) async -> ModelCard? {
        guard let campaign = journal.campaign else { return nil }
        guard let signed = try? await client.verifiedModel(campaign: campaign, version: "latest", trusting: coordinatorKey),
            signed.card.id != journal.currentModel
        else { return nil }
        do { try store.saveCurrentModel(signed) } catch { return nil }
        return signed.card
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

/// Examples per model architecture, computed once and shared by the daemon's round tasks, split
/// by time: the latest fifth of the windows (when there are at least 5) is held out for
/// evaluation rounds and never trained on.
final class ExampleCache: Sendable {
    struct Split: Sendable {
        var training: LabelledExamples
        var heldOut: LabelledExamples?
    }

    private let cache = Mutex<[ModelSpec: Split]>([:])

    func split(for spec: ModelSpec, from data: NodeData.Snapshot) throws -> Split {
        if let cached = cache.withLock({ $0[spec] }) { return cached }
        let all = try data.examples(spec: spec)
        let held = all.count >= 5 ? max(1, all.count / 5) : 0
        let size = all.exampleShape.reduce(1, *), kept = all.count - held
        let split = Split(
            training: try LabelledExamples(
                exampleShape: all.exampleShape, inputs: Array(all.inputs[0..<(kept * size)]), labels: Array(all.labels[0..<kept])),
            heldOut: held == 0
                ? nil
                : try LabelledExamples(
                    exampleShape: all.exampleShape, inputs: Array(all.inputs[(kept * size)...]), labels: Array(all.labels[kept...])))
        cache.withLock { $0[spec] = split }
        return split
    }
}

/// How far the node's masked update got (set from the participant's callbacks).
private final class SubmissionState: Sendable {
    let value = Mutex(NodeDaemon.Submission.none)
}

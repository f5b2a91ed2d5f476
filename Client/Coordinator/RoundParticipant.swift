public import EQMAPI
import EQMCompliance
public import EQMCore
public import EQMCrypto
import EQMProtocols
import Foundation

/// The node's side of one SecAgg+ round over HTTP: advertise keys, share, send the masked
/// update, answer the unmask request. The update is computed by the caller (local training on
/// data that never leaves the node) from the base model's parameters; only sealed protocol
/// messages are sent.
public struct RoundParticipant: Sendable {
    /// Where the participant stopped on purpose (tests and the demo inject dropouts).
    public enum DropPoint: Int, Sendable, Hashable {
        case beforeAdvertising, afterAdvertising, afterSharing, afterMaskedInput
    }

    /// How a round ended for this node.
    public enum Outcome: Sendable, Hashable {
        /// Every stage was answered.
        case completed
        /// The node stopped at a drop point.
        case dropped(DropPoint)
        /// The round moved on without this node (closed stage, deadline, abort).
        case excluded(String)
    }

    public let client: CoordinatorClient
    public let identity: SigningKey
    /// The coordinator's signing key, which every downloaded model must verify under.
    public let coordinatorKey: PublicKey
    /// How often to poll for a stage output.
    public var pollInterval: Duration = .milliseconds(50)
    /// Called before each submission with its stage (a node's ledger counts an update that may
    /// have arrived even if the answer is lost).
    public var willSubmit: (@Sendable (_ stage: Int) -> Void)?
    /// Called after each accepted submission with the stage and the request's duration (benchmarks).
    public var onSubmit: (@Sendable (_ stage: Int, _ started: ContinuousClock.Instant, _ seconds: Double) -> Void)?

    public init(client: CoordinatorClient, identity: SigningKey, coordinatorKey: PublicKey) {
        self.client = client
        self.identity = identity
        self.coordinatorKey = coordinatorKey
    }

    /// Runs the round of `task`. `update` receives the verified base model's parameters and
    /// returns the node's model delta (local parameters − base).
    ///
    /// A protocol error (a peer's bad message, too few peers left) excludes this node from the
    /// round rather than failing: the coordinator closes the round without it.
    public func run(
        _ task: NodeTask, dropAt drop: DropPoint? = nil, update: @Sendable ([Float]) async throws -> [Float]
    ) async throws -> Outcome {
        try await runTraining(task, dropAt: drop, train: { model in try await update(model.parameterVector()) })
    }

    /// Runs the round of `task`; `train` receives the verified base model (its architecture
    /// decides how the node's data is windowed) and returns the delta, trained − base.
    public func runTraining(
        _ task: NodeTask, dropAt drop: DropPoint? = nil, train: @Sendable (SequentialModel) async throws -> [Float]
    ) async throws -> Outcome {
        do { return try await participate(task, dropAt: drop, update: train) } catch let error as ProtocolError {
            return .excluded("protocol error: \(error)")
        }
    }

    private func participate(
        _ task: NodeTask, dropAt drop: DropPoint?, update: @Sendable (SequentialModel) async throws -> [Float]
    ) async throws -> Outcome {
        let configuration = try JSONDecoder().decode(RoundConfiguration.self, from: Data(task.configuration.utf8))
        guard configuration.participants.indices.contains(task.participant),
            configuration.participants[task.participant] == identity.publicKey
        else { return .excluded("the round configuration does not list this node's identity at its index") }
        let limits = MessageLimits(configuration: configuration)
        var secagg = try SecAggClient(configuration: configuration, identity: identity)
        let (campaign, round) = (task.campaign, task.round)

        if drop == .beforeAdvertising { return .dropped(.beforeAdvertising) }
        if task.stage == 0 {
            try await submit(campaign: campaign, round: round, stage: 0, message: try secagg.advertiseKeys().bytes)
        } else {
            return .excluded("joined after the advertisement stage closed")
        }
        if drop == .afterAdvertising { return .dropped(.afterAdvertising) }

        // Train while the other nodes advertise.
        let base = try await client.verifiedModel(id: task.baseVersion, trusting: coordinatorKey)
        let delta = try await update(try ModelFile.decode(base.model).model)
        let input = try configuration.encoding.encode(delta)

        guard let directoryFrame = try await waitForOutput(task, stage: 1) else {
            return .excluded("stage 1 closed without this node")
        }
        let directory = try WireFrame.decode(directoryFrame, as: KeyDirectory.self, limits: limits)
        try await submit(campaign: campaign, round: round, stage: 1, message: try secagg.receive(directory).bytes)
        if drop == .afterSharing { return .dropped(.afterSharing) }

        guard let deliveryFrame = try await waitForOutput(task, stage: 2) else {
            return .excluded("stage 2 closed without this node")
        }
        let delivery = try WireFrame.decode(deliveryFrame, as: ShareDelivery.self, limits: limits)
        try await submit(
            campaign: campaign, round: round, stage: 2, message: try secagg.receive(delivery, input: input).bytes)
        if drop == .afterMaskedInput { return .dropped(.afterMaskedInput) }

        guard let requestFrame = try await waitForOutput(task, stage: 3) else {
            return .excluded("stage 3 closed without this node")
        }
        let request = try WireFrame.decode(requestFrame, as: UnmaskRequest.self, limits: limits)
        try await submit(campaign: campaign, round: round, stage: 3, message: try secagg.receive(request).bytes)
        return .completed
    }

    /// Polls for a stage output until it appears, or the round has moved past it without this
    /// node, or the stage deadline has long passed.
    private func waitForOutput(_ task: NodeTask, stage: Int) async throws -> [UInt8]? {
        let giveUp = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < giveUp {
            switch await output(task, stage: stage) {
            case .success(let output?): return output
            case .success(nil): break  // not ready yet
            case .failure(let error) where error.status == nil:
                // The coordinator is unreachable (restarting): keep waiting.
                try await Task.sleep(for: pollInterval * 10)
                continue
            case .failure(let error) where error.status == 404:
                return nil  // the round moved on without this node, or ended
            case .failure(let error): throw error
            }
            try await Task.sleep(for: pollInterval)
        }
        return nil
    }

    private func output(_ task: NodeTask, stage: Int) async -> Result<[UInt8]?, CoordinatorClientError> {
        do { return .success(try await client.stageOutput(campaign: task.campaign, round: task.round, stage: stage)) } catch {
            return .failure(error)
        }
    }

    private func submit(campaign: String, round: Int, stage: Int, message: [UInt8]) async throws {
        willSubmit?(stage)
        let started = ContinuousClock.now
        try await client.submit(campaign: campaign, round: round, stage: stage, message: message)
        let elapsed = ContinuousClock.now - started
        onSubmit?(stage, started, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// Takes part in an evaluation round: downloads and verifies the version served to this
    /// node's cohort, lets `evaluate` score it on held-out local data, and reports the counts.
    public func evaluate(
        _ task: NodeTask, evaluate: @Sendable (SequentialModel, String) async throws -> EvaluationSubmission
    ) async throws {
        guard task.kind == "evaluation" else {
            throw CoordinatorClientError(status: nil, code: "invalid_task", message: "not an evaluation task")
        }
        let release = try await client.verifiedModel(id: task.baseVersion, trusting: coordinatorKey)
        let model = try ModelFile.decode(release.model).model
        var submission = try await evaluate(model, task.baseVersion)
        submission.modelVersion = task.baseVersion
        try await client.submitEvaluation(campaign: task.campaign, round: task.round, submission)
    }
}

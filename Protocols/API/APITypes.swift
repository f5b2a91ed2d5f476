public import EQMCompliance
public import EQMCore
public import EQMProtocols
public import Foundation

// The JSON bodies of the API. Keys are snake_case on the wire (explicit coding keys).

public struct HealthStatus: Codable, Sendable {
    public var status: String
    public var version: String
    public var database: String
    public var replica: String
    public init(status: String, version: String, database: String, replica: String) {
        self.status = status
        self.version = version
        self.database = database
        self.replica = replica
    }
}

public struct CoordinatorInfo: Codable, Sendable {
    public var version: String
    public var signingKey: String
    public var protocolVersion: Int
    enum CodingKeys: String, CodingKey {
        case version
        case signingKey = "signing_key"
        case protocolVersion = "protocol_version"
    }
    public init(version: String, signingKey: String, protocolVersion: Int) {
        self.version = version
        self.signingKey = signingKey
        self.protocolVersion = protocolVersion
    }
}

public struct TokenRequest: Codable, Sendable {
    public var role: Role
    public var label: String
    public var lifetimeSeconds: Double?
    public init(role: Role, label: String, lifetimeSeconds: Double? = nil) {
        self.role = role
        self.label = label
        self.lifetimeSeconds = lifetimeSeconds
    }
    enum CodingKeys: String, CodingKey {
        case role, label
        case lifetimeSeconds = "lifetime_seconds"
    }
}

public struct EnrollmentTokenRequest: Codable, Sendable {
    public var label: String
    public var lifetimeSeconds: Double?
    public init(label: String, lifetimeSeconds: Double? = nil) {
        self.label = label
        self.lifetimeSeconds = lifetimeSeconds
    }
    enum CodingKeys: String, CodingKey {
        case label
        case lifetimeSeconds = "lifetime_seconds"
    }
}

public struct TokenIssued: Codable, Sendable {
    public var id: String
    public var token: String
    public var role: Role
    public var kind: String
    public var expires: Double?
    public init(id: String, token: String, role: Role, kind: String, expires: Double? = nil) {
        self.id = id
        self.token = token
        self.role = role
        self.kind = kind
        self.expires = expires
    }
}

public struct TokenSummary: Codable, Sendable {
    public var id: String
    public var role: Role
    public var kind: String
    public var label: String
    public var created: Double
    public var expires: Double?
    public var revoked: Bool
    public init(id: String, role: Role, kind: String, label: String, created: Double, expires: Double? = nil, revoked: Bool) {
        self.id = id
        self.role = role
        self.kind = kind
        self.label = label
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }
}

public struct TokenList: Codable, Sendable {
    public var tokens: [TokenSummary]
    public init(tokens: [TokenSummary]) {
        self.tokens = tokens
    }
}

public struct EnrollRequest: Codable, Sendable {
    public var enrollmentToken: String
    /// The node's Ed25519 public key (hex).
    public var identityKey: String
    /// Ed25519 signature (hex) over `eqm.enroll.v1|<enrollment token id>|<identity key hex>`.
    public var proof: String
    public init(enrollmentToken: String, identityKey: String, proof: String) {
        self.enrollmentToken = enrollmentToken
        self.identityKey = identityKey
        self.proof = proof
    }
    enum CodingKeys: String, CodingKey {
        case enrollmentToken = "enrollment_token"
        case identityKey = "identity_key"
        case proof
    }

    /// The bytes the proof signs.
    public static func proofMessage(tokenID: String, identityKey: String) -> [UInt8] {
        Array("eqm.enroll.v1|\(tokenID)|\(identityKey)".utf8)
    }
}

public struct Enrollment: Codable, Sendable {
    public var nodeID: String
    public var token: String
    public var cohort: String
    public var coordinatorKey: String
    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case token, cohort
        case coordinatorKey = "coordinator_key"
    }
    public init(nodeID: String, token: String, cohort: String, coordinatorKey: String) {
        self.nodeID = nodeID
        self.token = token
        self.cohort = cohort
        self.coordinatorKey = coordinatorKey
    }
}

public struct NodeInfo: Codable, Sendable {
    public var nodeID: String
    public var identityKey: String
    public var cohort: String
    public var enrolled: Double
    enum CodingKeys: String, CodingKey {
        case nodeID = "node_id"
        case identityKey = "identity_key"
        case cohort, enrolled
    }
    public init(nodeID: String, identityKey: String, cohort: String, enrolled: Double) {
        self.nodeID = nodeID
        self.identityKey = identityKey
        self.cohort = cohort
        self.enrolled = enrolled
    }
}

public struct ConsentTextRequest: Codable, Sendable {
    public var purpose: ProcessingPurpose
    public var text: String
    public init(purpose: ProcessingPurpose, text: String) {
        self.purpose = purpose
        self.text = text
    }
}

public struct ConsentTextList: Codable, Sendable {
    public var texts: [ConsentText]
    public init(texts: [ConsentText]) {
        self.texts = texts
    }
}

public struct ConsentRequest: Codable, Sendable {
    public var purpose: ProcessingPurpose
    public var granted: Bool
    public init(purpose: ProcessingPurpose, granted: Bool) {
        self.purpose = purpose
        self.granted = granted
    }
}

public struct ConsentHistory: Codable, Sendable {
    public var current: [String: Bool]
    public var history: [ConsentRecord]
    public init(current: [String: Bool], history: [ConsentRecord]) {
        self.current = current
        self.history = history
    }
}

public struct CampaignStatusRequest: Codable, Sendable {
    public var status: String
    public init(status: String) { self.status = status }
}

public struct CampaignView: Codable, Sendable {
    public var id: String
    public var name: String
    public var status: String
    public var reason: String?
    public var created: Double
    public var configuration: CampaignConfiguration
    public var roundsCommitted: Int
    public var epsilon: Double
    public var delta: Double
    public var latestVersion: String?
    enum CodingKeys: String, CodingKey {
        case id, name, status, reason, created, configuration, epsilon, delta
        case roundsCommitted = "rounds_committed"
        case latestVersion = "latest_version"
    }
    public init(
        id: String, name: String, status: String, reason: String? = nil, created: Double, configuration: CampaignConfiguration,
        roundsCommitted: Int, epsilon: Double, delta: Double, latestVersion: String? = nil
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.reason = reason
        self.created = created
        self.configuration = configuration
        self.roundsCommitted = roundsCommitted
        self.epsilon = epsilon
        self.delta = delta
        self.latestVersion = latestVersion
    }
}

public struct CampaignList: Codable, Sendable {
    public var campaigns: [CampaignView]
    public init(campaigns: [CampaignView]) {
        self.campaigns = campaigns
    }
}

public struct RoundView: Codable, Sendable {
    public var round: Int
    public var kind: String
    public var status: String
    public var stage: Int
    public var selected: Int
    public var started: Double
    public var finished: Double?
    public var reason: String?
    public init(
        round: Int, kind: String, status: String, stage: Int, selected: Int, started: Double, finished: Double? = nil,
        reason: String? = nil
    ) {
        self.round = round
        self.kind = kind
        self.status = status
        self.stage = stage
        self.selected = selected
        self.started = started
        self.finished = finished
        self.reason = reason
    }
}

public struct RoundList: Codable, Sendable {
    public var rounds: [RoundView]
    public init(rounds: [RoundView]) {
        self.rounds = rounds
    }
}

/// A round the calling node takes part in, and what it must do next.
public struct NodeTask: Codable, Sendable, Hashable {
    /// `training` (a SecAgg+ round) or `evaluation` (evaluate `baseVersion` on held-out local data).
    public var kind: String = "training"
    public var campaign: String
    public var round: Int
    public var stage: Int
    /// The node's participant index in the round configuration.
    public var participant: Int
    /// Unix seconds at which the current stage closes.
    public var deadline: Double
    /// The SecAgg+ round configuration (JSON of ``RoundConfiguration``).
    public var configuration: String
    /// The model version to train from.
    public var baseVersion: String
    public var localEpochs: Int
    public var localBatchSize: Int
    public var localLearningRate: Double
    enum CodingKeys: String, CodingKey {
        case kind, campaign, round, stage, participant, deadline, configuration
        case baseVersion = "base_version"
        case localEpochs = "local_epochs"
        case localBatchSize = "local_batch_size"
        case localLearningRate = "local_learning_rate"
    }
    public init(
        campaign: String, round: Int, stage: Int, participant: Int, deadline: Double, configuration: String, baseVersion: String,
        localEpochs: Int, localBatchSize: Int, localLearningRate: Double
    ) {
        self.campaign = campaign
        self.round = round
        self.stage = stage
        self.participant = participant
        self.deadline = deadline
        self.configuration = configuration
        self.baseVersion = baseVersion
        self.localEpochs = localEpochs
        self.localBatchSize = localBatchSize
        self.localLearningRate = localLearningRate
    }
}

public struct TaskList: Codable, Sendable {
    public var tasks: [NodeTask]
    public init(tasks: [NodeTask]) {
        self.tasks = tasks
    }
}

public struct Accepted: Codable, Sendable {
    public var accepted: Bool
    public var duplicate: Bool
    public init(accepted: Bool, duplicate: Bool) {
        self.accepted = accepted
        self.duplicate = duplicate
    }
}

public struct ModelSummary: Codable, Sendable {
    public var id: String
    public var version: Int
    public var parent: String?
    public var round: Int?
    public var created: Double
    public var status: String
    public var cohort: String?
    public init(
        id: String, version: Int, parent: String? = nil, round: Int? = nil, created: Double, status: String, cohort: String? = nil
    ) {
        self.id = id
        self.version = version
        self.parent = parent
        self.round = round
        self.created = created
        self.status = status
        self.cohort = cohort
    }
}

public struct ModelList: Codable, Sendable {
    public var models: [ModelSummary]
    public init(models: [ModelSummary]) {
        self.models = models
    }
}

/// A signed model version as the API serves it: the canonical card JSON, its Ed25519 signature
/// and the EQMMODEL file, base64.
public struct ModelReleaseBody: Codable, Sendable {
    public var id: String
    public var card: String
    public var signature: String
    public var model: String
    public init(id: String, card: String, signature: String, model: String) {
        self.id = id
        self.card = card
        self.signature = signature
        self.model = model
    }
}

public struct PromoteRequest: Codable, Sendable {
    public var cohort: String?
    public init(cohort: String? = nil) { self.cohort = cohort }
}

/// A node's evaluation of a model version on its own held-out data: counts only, no example.
public struct EvaluationSubmission: Codable, Sendable, Hashable {
    public var modelVersion: String
    public var examples: Int
    public var correct: Int
    /// Cross-entropy summed over the examples.
    public var lossSum: Double
    /// Per label (in `EmotionLabel` order): true positives, false positives, false negatives.
    public var truePositives: [Int]
    public var falsePositives: [Int]
    public var falseNegatives: [Int]

    public init(
        modelVersion: String, examples: Int, correct: Int, lossSum: Double, truePositives: [Int], falsePositives: [Int],
        falseNegatives: [Int]
    ) {
        self.modelVersion = modelVersion
        self.examples = examples
        self.correct = correct
        self.lossSum = lossSum
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
    }

    /// From a confusion matrix (rows: true label, columns: predicted) and the summed loss.
    public init(modelVersion: String, confusion: [[Int]], lossSum: Double) {
        let labels = confusion.count
        var tp = [Int](repeating: 0, count: labels), fp = tp, fn = tp
        for truth in 0..<labels {
            for predicted in 0..<min(labels, confusion[truth].count) {
                let count = confusion[truth][predicted]
                if truth == predicted {
                    tp[truth] += count
                } else {
                    fp[predicted] += count
                    fn[truth] += count
                }
            }
        }
        self.init(
            modelVersion: modelVersion, examples: confusion.joined().reduce(0, +), correct: tp.reduce(0, +), lossSum: lossSum,
            truePositives: tp, falsePositives: fp, falseNegatives: fn)
    }

    enum CodingKeys: String, CodingKey {
        case examples, correct
        case modelVersion = "model_version"
        case lossSum = "loss_sum"
        case truePositives = "true_positives"
        case falsePositives = "false_positives"
        case falseNegatives = "false_negatives"
    }

    /// Refuses inconsistent counts (they would skew the aggregate).
    public func validate(labels: Int) throws(APIValidationError) {
        guard examples > 0, examples <= 10_000_000, (0...examples).contains(correct) else {
            throw APIValidationError("examples must be in 1...10000000 and correct in 0...examples")
        }
        guard lossSum.isFinite, lossSum >= 0 else { throw APIValidationError("loss_sum must be finite and non-negative") }
        for counts in [truePositives, falsePositives, falseNegatives] {
            guard counts.count == labels, counts.allSatisfy({ (0...examples).contains($0) }) else {
                throw APIValidationError(
                    "true_positives, false_positives and false_negatives need \(labels) counts in 0...examples")
            }
        }
        guard truePositives.reduce(0, +) == correct, falseNegatives.reduce(0, +) == examples - correct else {
            throw APIValidationError("the per-label counts do not add up to correct and examples")
        }
    }
}

/// The aggregate of one evaluation round for one model version (and the cohort it was served to).
public struct EvaluationResult: Codable, Sendable, Hashable {
    public var round: Int
    public var modelVersion: String
    public var cohorts: [String]
    public var nodes: Int
    /// False when fewer nodes than the release threshold reported: then only `nodes` is given.
    public var released: Bool
    public var examples: Int?
    public var accuracy: Double?
    public var macroF1: Double?
    public var loss: Double?

    public init(
        round: Int, modelVersion: String, cohorts: [String], nodes: Int, released: Bool, examples: Int? = nil,
        accuracy: Double? = nil,
        macroF1: Double? = nil, loss: Double? = nil
    ) {
        self.round = round
        self.modelVersion = modelVersion
        self.cohorts = cohorts
        self.nodes = nodes
        self.released = released
        self.examples = examples
        self.accuracy = accuracy
        self.macroF1 = macroF1
        self.loss = loss
    }

    enum CodingKeys: String, CodingKey {
        case round, cohorts, nodes, released, examples, accuracy, loss
        case modelVersion = "model_version"
        case macroF1 = "macro_f1"
    }
}

public struct EvaluationList: Codable, Sendable {
    public var evaluations: [EvaluationResult]
    public init(evaluations: [EvaluationResult]) { self.evaluations = evaluations }
}

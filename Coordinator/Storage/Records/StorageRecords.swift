public import EQMAPI
public import Foundation

/// A stored API or enrollment token. Only the BLAKE2b hash of the secret is stored.
public struct TokenRecord: Codable, Sendable, Hashable {
    /// Public id (shown in listings and logs, never the secret).
    public var id: String
    /// BLAKE2b-256 of the secret.
    public var hash: [UInt8]
    /// The role it grants (an enrollment token grants nothing but `POST /v1/nodes/enroll`).
    public var role: Role
    /// "api" or "enrollment".
    public var kind: String
    /// The node id for node tokens, else nil.
    public var subject: String?
    /// A human label.
    public var label: String
    /// Creation time, Unix seconds.
    public var created: Double
    /// Expiry, Unix seconds, or nil.
    public var expires: Double?
    /// Whether it was revoked (or, for enrollment tokens, used).
    public var revoked: Bool

    public init(
        id: String, hash: [UInt8], role: Role, kind: String, subject: String?, label: String, created: Double,
        expires: Double?, revoked: Bool
    ) {
        self.id = id
        self.hash = hash
        self.role = role
        self.kind = kind
        self.subject = subject
        self.label = label
        self.created = created
        self.expires = expires
        self.revoked = revoked
    }
}

/// An enrolled client node (a data subject's device): personal data.
public struct NodeRecord: Codable, Sendable, Hashable {
    /// The node id (the data subject id used by consent, ledger participation and erasure).
    public var id: String
    /// The node's Ed25519 identity key (hex).
    public var identityKey: String
    /// Enrollment time, Unix seconds.
    public var enrolled: Double
    /// Last authenticated request, Unix seconds.
    public var lastSeen: Double
    /// The A/B cohort ("a" or "b"), assigned at enrollment.
    public var cohort: String

    public init(id: String, identityKey: String, enrolled: Double, lastSeen: Double, cohort: String) {
        self.id = id
        self.identityKey = identityKey
        self.enrolled = enrolled
        self.lastSeen = lastSeen
        self.cohort = cohort
    }
}

/// A campaign row: its configuration is JSON owned by the coordinator.
public struct CampaignRecord: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    /// The campaign configuration as JSON.
    public var configuration: String
    /// "active", "paused", "stopped" (budget exhausted or by an operator), "finished".
    public var status: String
    public var created: Double
    /// Why it stopped, when it did.
    public var reason: String?

    public init(id: String, name: String, configuration: String, status: String, created: Double, reason: String? = nil) {
        self.id = id
        self.name = name
        self.configuration = configuration
        self.status = status
        self.created = created
        self.reason = reason
    }
}

/// A round row: the durable part of a round's state.
public struct RoundRecord: Codable, Sendable, Hashable {
    public var campaign: String
    public var round: Int
    /// "training" or "evaluation".
    public var kind: String
    /// "running", "committed", "aborted", "refused".
    public var status: String
    /// The SecAgg stage (0 advertise, 1 share, 2 masked input, 3 unmask, 4 done).
    public var stage: Int
    /// The SecAgg ``RoundConfiguration`` as JSON (nil for evaluation rounds).
    public var configuration: String?
    /// The selected node ids, in participant-index order.
    public var participants: [String]
    /// The model version the round trains from.
    public var baseVersion: String?
    /// The coordinator's X25519 secret for this round, sealed with the coordinator's storage key.
    public var sealedRoundKey: [UInt8]?
    public var started: Double
    /// Deadline of the current stage, Unix seconds.
    public var deadline: Double
    public var finished: Double?
    /// The replica leading the round.
    public var leader: String?
    /// Why it was aborted, when it was.
    public var reason: String?

    public init(
        campaign: String, round: Int, kind: String, status: String, stage: Int, configuration: String?,
        participants: [String], baseVersion: String?, sealedRoundKey: [UInt8]?, started: Double, deadline: Double,
        finished: Double? = nil, leader: String? = nil, reason: String? = nil
    ) {
        self.campaign = campaign
        self.round = round
        self.kind = kind
        self.status = status
        self.stage = stage
        self.configuration = configuration
        self.participants = participants
        self.baseVersion = baseVersion
        self.sealedRoundKey = sealedRoundKey
        self.started = started
        self.deadline = deadline
        self.finished = finished
        self.leader = leader
        self.reason = reason
    }
}

/// A message a node submitted in a stage (sealed to the coordinator), or one the coordinator
/// publishes to a participant (`participant` = -1 for everyone). Masked submissions are deleted
/// right after aggregation (retention category "masked_submissions").
public struct RoundMessage: Sendable, Hashable {
    public var campaign: String
    public var round: Int
    public var stage: Int
    public var participant: Int
    public var body: [UInt8]
    public var received: Double

    public init(campaign: String, round: Int, stage: Int, participant: Int, body: [UInt8], received: Double) {
        self.campaign = campaign
        self.round = round
        self.stage = stage
        self.participant = participant
        self.body = body
        self.received = received
    }
}

/// A model version in the registry.
public struct ModelVersionRecord: Codable, Sendable, Hashable {
    /// "CAMPAIGN/vN".
    public var id: String
    public var campaign: String
    public var version: Int
    public var parent: String?
    public var round: Int?
    public var created: Double
    /// The EQMMODEL file bytes.
    public var model: [UInt8]
    /// The model card as canonical JSON (signed).
    public var card: String
    /// Ed25519 signature (hex) over the card, which names the model file's digest.
    public var signature: String
    /// "released", "promoted", "rolled_back".
    public var status: String
    /// The A/B cohort served this version, or nil for everyone.
    public var cohort: String?

    public init(
        id: String, campaign: String, version: Int, parent: String?, round: Int?, created: Double, model: [UInt8],
        card: String, signature: String, status: String, cohort: String? = nil
    ) {
        self.id = id
        self.campaign = campaign
        self.version = version
        self.parent = parent
        self.round = round
        self.created = created
        self.model = model
        self.card = card
        self.signature = signature
        self.status = status
        self.cohort = cohort
    }
}

/// One node's federated-evaluation report (personal data until aggregated).
public struct EvaluationReport: Codable, Sendable, Hashable {
    public var campaign: String
    public var round: Int
    public var node: String
    /// The model version evaluated.
    public var modelVersion: String
    public var examples: Int
    public var correct: Int
    /// Loss summed over examples.
    public var lossSum: Double
    /// Per-label counts for macro-F1: true positives, false positives, false negatives (11 each).
    public var truePositives: [Int]
    public var falsePositives: [Int]
    public var falseNegatives: [Int]
    public var received: Double

    public init(
        campaign: String, round: Int, node: String, modelVersion: String, examples: Int, correct: Int, lossSum: Double,
        truePositives: [Int], falsePositives: [Int], falseNegatives: [Int], received: Double
    ) {
        self.campaign = campaign
        self.round = round
        self.node = node
        self.modelVersion = modelVersion
        self.examples = examples
        self.correct = correct
        self.lossSum = lossSum
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        self.received = received
    }
}

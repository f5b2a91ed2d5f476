public import EQMCore
public import EQMCrypto
public import EQMProtocols
public import Foundation

/// What one released model version is, how it was trained, how well it did and what it must not
/// be used for: the document the coordinator signs with every model version (see ``SignedModel``).
///
/// A card names counts only, never participants: ``participants`` is how many took part, and the
/// privacy section bounds what the model reveals about any one of them.
public struct ModelCard: Codable, Sendable, Hashable {
    /// The card format, ``currentFormat``; lets a reader refuse a card it does not understand.
    public var format: String
    /// The version's identifier, `"<campaign>/v<version>"`.
    public var id: String
    /// The campaign that trained the model.
    public var campaign: String
    /// The model version within the campaign: 0 is the initial, untrained model a campaign starts
    /// from, 1, 2, … the versions its rounds produce.
    public var version: Int
    /// The id of the version this one was trained from, if any.
    public var parent: String?
    /// The federated round that produced this version, if it came from a round.
    public var round: Int?
    /// When the version was released (ISO-8601).
    public var created: String
    /// The architecture, e.g. `"input [48] → dense(64) → relu → dense(64) → relu → dense(11)"`.
    public var architecture: String
    /// The number of Float32 parameters in the model file.
    public var parameterCount: Int
    /// Lower-case hex BLAKE2b-256 of the exact EQMMODEL file bytes.
    public var modelDigest: String
    /// The output labels in order (``EmotionLabel`` raw values).
    public var labels: [String]
    /// How many participants contributed to this version (a count; never their ids).
    public var participants: Int
    /// Held-out evaluation, if one was run.
    public var metrics: Metrics?
    /// The differential-privacy guarantee of the training that produced this version.
    public var privacy: Privacy
    /// The server optimiser and its hyper-parameters, e.g. `"fedadam(lr=0.01, beta1=0.9, beta2=0.99, tau=0.001)"`.
    public var serverOptimizer: String
    /// What the model is for.
    public var intendedUse: String
    /// What it is not for, and what its guarantees do not say.
    public var limitations: String
    /// Lower-case hex of the coordinator's Ed25519 public key that signs this card.
    public var coordinatorKey: String

    /// The format this build writes and reads.
    public static let currentFormat = "eqm-model-card/v1"

    /// The default ``intendedUse``.
    public static let defaultIntendedUse =
        "Estimates a person's momentary emotional and stress state (one of the listed labels) from wearable "
        + "physiological signals (blood volume pulse and heart-rate variability, electrodermal activity, skin "
        + "temperature, movement) in windows of a few minutes, for research and for personal well-being feedback "
        + "to the wearer. Outputs are probabilities, not facts about the person."

    /// The default ``limitations``.
    public static let defaultLimitations =
        "Not a medical device: it does not diagnose, treat, prevent or monitor any disease or condition, and must "
        + "not inform clinical, employment, insurance, educational or law-enforcement decisions about anyone. "
        + "Emotion recognition from physiology is uncertain; accuracy varies between people, devices and settings "
        + "and is known only for the evaluation stated in the metrics. The differential-privacy bound (ε, δ) "
        + "limits how much this model can reveal about whether any one participant, with all of their data across "
        + "every round, took part in training; it does not make the model's predictions about a person private, "
        + "and it says nothing about accuracy or fairness."

    /// Held-out evaluation of the version.
    public struct Metrics: Codable, Sendable, Hashable {
        /// Examples evaluated.
        public var examples: Int
        /// Fraction classified correctly, in [0, 1].
        public var accuracy: Double
        /// Unweighted mean of the per-label F1 scores, in [0, 1].
        public var macroF1: Double
        /// Mean cross-entropy loss.
        public var loss: Double
        /// The round whose model was evaluated.
        public var round: Int

        /// Creates metrics.
        public init(examples: Int, accuracy: Double, macroF1: Double, loss: Double, round: Int) {
            self.examples = examples
            self.accuracy = accuracy
            self.macroF1 = macroF1
            self.loss = loss
            self.round = round
        }

        /// The metrics of an ``Evaluation`` run on `round`'s model.
        public init(_ evaluation: Evaluation, round: Int) {
            self.init(
                examples: evaluation.examples, accuracy: evaluation.accuracy, macroF1: evaluation.macroF1,
                loss: evaluation.loss, round: round)
        }
    }

    /// The differential-privacy guarantee of the training that produced a version.
    public struct Privacy: Codable, Sendable, Hashable {
        /// The unit of privacy: whose presence or absence (ε, δ) bounds.
        public var unit: String
        /// ε over every round up to this version (0 for an untrained model); nil when trained without
        /// noise (mode `none`), which carries no guarantee.
        public var epsilon: Double?
        /// δ of ``epsilon``.
        public var delta: Double
        /// The accountant that computed ε (``PrivacyAccountant/name``, e.g. "rdp" or "pld").
        public var accountant: String
        /// The accountant's version and parameters (``PrivacyAccountant/version``).
        public var accountantVersion: String
        /// Where the noise was added: `distributed` (under secure aggregation) or `local`.
        public var mode: PrivacyMode
        /// The noise multiplier σ (noise standard deviation over the clip norm).
        public var noiseMultiplier: Double
        /// The per-participant L2 clip norm C.
        public var clipNorm: Double
        /// The rounds ε composes.
        public var rounds: Int

        /// The only unit EQM reports.
        public static let userLevel = "user-level (add/remove one participant)"

        /// Creates a user-level guarantee. With mode `none` there is no guarantee, and `epsilon` is
        /// stored as nil whatever was passed (an accountant reports ∞ or nothing for σ = 0).
        public init(
            epsilon: Double?, delta: Double, accountant: String, accountantVersion: String, mode: PrivacyMode,
            noiseMultiplier: Double, clipNorm: Double, rounds: Int
        ) {
            unit = Self.userLevel
            self.epsilon = mode == .none ? nil : epsilon
            self.delta = delta
            self.accountant = accountant
            self.accountantVersion = accountantVersion
            self.mode = mode
            self.noiseMultiplier = noiseMultiplier
            self.clipNorm = clipNorm
            self.rounds = rounds
        }
    }

    /// A card describing the model file `model`: the architecture, parameter count, labels and
    /// digest are read from the file itself, so they cannot disagree with it.
    ///
    /// Throws ``ComplianceError/Code/invalidInput`` when the file does not parse or a value is out
    /// of range (see ``validate()``).
    public init(
        campaign: String, version: Int, parent: String? = nil, round: Int? = nil, created: Date,
        model: [UInt8], participants: Int, metrics: Metrics? = nil, privacy: Privacy,
        serverOptimizer: String, coordinatorKey: PublicKey,
        intendedUse: String = ModelCard.defaultIntendedUse, limitations: String = ModelCard.defaultLimitations
    ) throws {
        let header: ModelFile.Header
        do {
            header = try ModelFile.decode(model).header
        } catch {
            throw ComplianceError(.invalidInput, "cannot describe the model: \(error)")
        }
        format = Self.currentFormat
        id = Self.id(campaign: campaign, version: version)
        self.campaign = campaign
        self.version = version
        self.parent = parent
        self.round = round
        self.created = AuditTrail.timestamp(created)
        architecture = Self.describe(header.spec)
        parameterCount = header.parameterCount
        modelDigest = Blake2b.hash(model).hexString
        labels = header.labels
        self.participants = participants
        self.metrics = metrics
        self.privacy = privacy
        self.serverOptimizer = serverOptimizer
        self.intendedUse = intendedUse
        self.limitations = limitations
        self.coordinatorKey = coordinatorKey.hex
        try validate()
    }

    /// The id of a campaign's version: `"<campaign>/v<version>"` (`"c1a2b3c4d/v0"` is the initial model).
    public static func id(campaign: String, version: Int) -> String { "\(campaign)/v\(version)" }

    /// The campaign and version of an id made by ``id(campaign:version:)``, or nil when `id` is
    /// not of that form.
    public static func parseID(_ id: String) -> (campaign: String, version: Int)? {
        guard let slash = id.range(of: "/v", options: .backwards), let version = Int(id[slash.upperBound...]), version >= 0,
            slash.lowerBound > id.startIndex
        else { return nil }
        return (String(id[..<slash.lowerBound]), version)
    }

    /// A one-line description of an architecture, e.g. `input [48] → dense(64) → relu → dense(11)`.
    public static func describe(_ spec: ModelSpec) -> String {
        let layers = spec.layers.map { layer -> String in
            switch layer {
            case .dense(let outputs, _): "dense(\(outputs))"
            case .conv1D(let channels, let kernel, let stride, let padding):
                "conv1d(\(channels), kernel \(kernel), stride \(stride), padding \(padding))"
            case .maxPool1D(let size, let stride): "maxpool1d(\(size), stride \(stride))"
            case .globalAveragePool1D: "global-average-pool1d"
            case .gru(let hidden, let sequences): sequences ? "gru(\(hidden), sequences)" : "gru(\(hidden))"
            case .relu: "relu"
            case .tanh: "tanh"
            case .sigmoid: "sigmoid"
            case .dropout(let rate): "dropout(\(rate))"
            }
        }
        return (["input \(spec.inputShape)"] + layers).joined(separator: " → ")
    }

    /// Checks the card is self-consistent and every value is in range; throws
    /// ``ComplianceError/Code/invalidInput`` naming the first field that is not.
    public func validate() throws {
        func fail(_ message: String) -> ComplianceError { ComplianceError(.invalidInput, "model card: \(message)") }
        guard format == Self.currentFormat else {
            throw fail("format '\(format.prefix(40))' is not supported; this build reads '\(Self.currentFormat)'")
        }
        guard !campaign.isEmpty, campaign.utf8.count <= 128, !campaign.contains("/") else {
            throw fail("campaign must be 1 to 128 characters without '/'")
        }
        guard version >= 0 else { throw fail("version must not be negative, found \(version)") }
        guard id == Self.id(campaign: campaign, version: version) else {
            throw fail("id '\(id.prefix(160))' is not '\(Self.id(campaign: campaign, version: version))'")
        }
        guard round.map({ $0 >= 0 }) ?? true, participants >= 0, parameterCount > 0 else {
            throw fail("round, participants and parameter count must not be negative (parameter count positive)")
        }
        guard modelDigest.utf8.count == 64, [UInt8](hex: modelDigest)?.hexString == modelDigest else {
            throw fail("modelDigest must be 64 lower-case hexadecimal characters")
        }
        guard (try? PublicKey(hex: coordinatorKey))?.hex == coordinatorKey else {
            throw fail("coordinatorKey must be a 32-byte key in 64 lower-case hexadecimal characters")
        }
        guard !labels.isEmpty else { throw fail("labels must not be empty") }
        guard Self.isTimestamp(created) else { throw fail("created '\(created.prefix(40))' is not an ISO-8601 time") }
        if let metrics {
            guard metrics.examples >= 0, (0...1).contains(metrics.accuracy), (0...1).contains(metrics.macroF1),
                metrics.loss.isFinite, metrics.loss >= 0, metrics.round >= 0
            else {
                throw fail("metrics need accuracy and macro-F1 in [0, 1], a finite non-negative loss and counts ≥ 0")
            }
        }
        guard privacy.unit == Privacy.userLevel else {
            throw fail("privacy unit must be '\(Privacy.userLevel)', found '\(privacy.unit.prefix(80))'")
        }
        guard privacy.delta > 0, privacy.delta < 1, privacy.clipNorm.isFinite, privacy.clipNorm > 0,
            privacy.noiseMultiplier.isFinite, privacy.noiseMultiplier >= 0, privacy.rounds >= 0,
            !privacy.accountant.isEmpty
        else {
            throw fail("privacy needs δ in (0, 1), a positive clip norm, σ ≥ 0, rounds ≥ 0 and an accountant")
        }
        switch privacy.mode {
        case .none:
            guard privacy.epsilon == nil else { throw fail("a model trained without noise (mode none) has no ε") }
        case .distributed, .local:
            guard let epsilon = privacy.epsilon, epsilon.isFinite, epsilon >= 0, privacy.noiseMultiplier > 0 else {
                throw fail("a \(privacy.mode.rawValue) DP model needs a finite ε ≥ 0 and σ > 0")
            }
        }
    }

    private static func isTimestamp(_ text: String) -> Bool {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if formatter.date(from: text) != nil { return true }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text) != nil
    }
}

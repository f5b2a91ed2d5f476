public import EQMCore
public import EQMProtocols

/// What an operator sets when creating a campaign: the model, local training, differential
/// privacy, secure aggregation, participant sampling, stage deadlines and the schedule.
///
/// JSON keys are snake_case; every field but `name` has a default, and ``validate()`` refuses
/// values outside their ranges with a message naming the field.
public struct CampaignConfiguration: Codable, Sendable, Hashable {
    /// A human name.
    public var name: String
    /// The architecture: `mlp`, `cnn` or `gru`.
    public var model = "mlp"
    /// Hidden layer widths of the MLP (default 64, 64).
    public var mlpHidden: [Int]?
    /// Local training on each node per round.
    public var localEpochs = 1
    public var localBatchSize = 32
    public var localLearningRate = 0.05
    /// The server optimiser applied to the averaged update.
    public var serverOptimizer = ServerOptimizerConfiguration.fedAvg()
    /// `distributed` (each node adds a share of the noise inside SecAgg+), `local` (each node adds
    /// all of it), or `none` (no DP; refused unless `allow_no_privacy`).
    public var privacyMode = PrivacyMode.distributed
    /// Each node's update is clipped to this L2 norm (the user-level sensitivity).
    public var clipNorm = 1.0
    /// The noise multiplier σ the aggregate must reach (relative to the clip norm).
    public var noiseMultiplier = 1.0
    /// Instead of σ: the ε the whole campaign (`maximum_rounds` rounds at `sampling_rate`) may
    /// reach; the coordinator then calibrates σ with the RDP accountant (rounded up) at creation.
    public var targetEpsilon: Double?
    /// δ of the (ε, δ) guarantee.
    public var delta = 1e-5
    /// Per-user and campaign-wide ε caps.
    public var perUserEpsilonCap = 10.0
    public var globalEpsilonCap = 10.0
    /// Poisson sampling rate q over eligible nodes.
    public var samplingRate = 0.5
    /// Rounds need at least this many selected nodes (at least 3 for SecAgg+).
    public var minimumParticipants = 3
    /// Expected dropout rate and corruption fraction, used to choose k and t (SecAgg+).
    public var expectedDropoutRate = 0.1
    public var corruptionFraction = 0.05
    /// Seconds each stage waits for messages before closing with whoever answered.
    public var stageDeadline = 30.0
    /// Seconds between the end of a round and the start of the next.
    public var roundInterval = 0.0
    /// Stop after this many committed rounds (0: until the budget is spent).
    public var maximumRounds = 10
    /// Run a federated evaluation round after every this many training rounds (0: never).
    public var evaluationEvery = 0
    /// Must be true to run a campaign without differential privacy.
    public var allowNoPrivacy = false

    /// A configuration with defaults.
    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, model, delta
        case mlpHidden = "mlp_hidden"
        case localEpochs = "local_epochs"
        case localBatchSize = "local_batch_size"
        case localLearningRate = "local_learning_rate"
        case serverOptimizer = "server_optimizer"
        case privacyMode = "privacy_mode"
        case clipNorm = "clip_norm"
        case noiseMultiplier = "noise_multiplier"
        case targetEpsilon = "target_epsilon"
        case perUserEpsilonCap = "per_user_epsilon_cap"
        case globalEpsilonCap = "global_epsilon_cap"
        case samplingRate = "sampling_rate"
        case minimumParticipants = "minimum_participants"
        case expectedDropoutRate = "expected_dropout_rate"
        case corruptionFraction = "corruption_fraction"
        case stageDeadline = "stage_deadline"
        case roundInterval = "round_interval"
        case maximumRounds = "maximum_rounds"
        case evaluationEvery = "evaluation_every"
        case allowNoPrivacy = "allow_no_privacy"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var value = CampaignConfiguration(name: try c.decode(String.self, forKey: .name))
        func read<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<CampaignConfiguration, T>) throws {
            if let decoded = try c.decodeIfPresent(T.self, forKey: key) { value[keyPath: path] = decoded }
        }
        try read(.model, \.model)
        if let hidden = try c.decodeIfPresent([Int].self, forKey: .mlpHidden) { value.mlpHidden = hidden }
        try read(.localEpochs, \.localEpochs)
        try read(.localBatchSize, \.localBatchSize)
        try read(.localLearningRate, \.localLearningRate)
        try read(.serverOptimizer, \.serverOptimizer)
        try read(.privacyMode, \.privacyMode)
        try read(.clipNorm, \.clipNorm)
        try read(.noiseMultiplier, \.noiseMultiplier)
        if let target = try c.decodeIfPresent(Double.self, forKey: .targetEpsilon) { value.targetEpsilon = target }
        try read(.delta, \.delta)
        try read(.perUserEpsilonCap, \.perUserEpsilonCap)
        try read(.globalEpsilonCap, \.globalEpsilonCap)
        try read(.samplingRate, \.samplingRate)
        try read(.minimumParticipants, \.minimumParticipants)
        try read(.expectedDropoutRate, \.expectedDropoutRate)
        try read(.corruptionFraction, \.corruptionFraction)
        try read(.stageDeadline, \.stageDeadline)
        try read(.roundInterval, \.roundInterval)
        try read(.maximumRounds, \.maximumRounds)
        try read(.evaluationEvery, \.evaluationEvery)
        try read(.allowNoPrivacy, \.allowNoPrivacy)
        self = value
    }

    /// Refuses out-of-range values, naming the field.
    public func validate() throws(APIValidationError) {
        func check(_ condition: Bool, _ message: String) throws(APIValidationError) {
            if !condition { throw APIValidationError(message) }
        }
        try check(!name.isEmpty && name.count <= 200, "name must be 1 to 200 characters")
        try check(["mlp", "cnn", "gru"].contains(model), "model must be mlp, cnn or gru, found '\(model.prefix(40))'")
        try check(
            mlpHidden.map { model == "mlp" && (1...4).contains($0.count) && $0.allSatisfy { (1...4096).contains($0) } } ?? true,
            "mlp_hidden takes 1 to 4 widths in 1...4096, for model mlp only")
        try check((1...100).contains(localEpochs), "local_epochs must be in 1...100")
        try check((1...4096).contains(localBatchSize), "local_batch_size must be in 1...4096")
        try check(localLearningRate > 0 && localLearningRate <= 10, "local_learning_rate must be in (0, 10]")
        do { try serverOptimizer.validate() } catch { throw APIValidationError("server_optimizer: \(error.message)") }
        try check(privacyMode != .none || allowNoPrivacy, "privacy_mode none needs allow_no_privacy: true")
        try check(clipNorm > 0 && clipNorm.isFinite && clipNorm <= 1e6, "clip_norm must be positive and finite")
        try check(
            privacyMode == .none ? noiseMultiplier == 0 : (noiseMultiplier > 0 && noiseMultiplier <= 1e3),
            privacyMode == .none ? "noise_multiplier must be 0 without privacy" : "noise_multiplier must be in (0, 1000]")
        try check(delta > 0 && delta < 1e-2, "delta must be in (0, 0.01)")
        if let targetEpsilon {
            try check(targetEpsilon > 0 && targetEpsilon <= 1000, "target_epsilon must be in (0, 1000]")
            try check(privacyMode != .none, "target_epsilon needs privacy_mode distributed or local")
            try check(maximumRounds > 0, "target_epsilon needs maximum_rounds > 0 (the rounds it is spread over)")
        }
        try check(perUserEpsilonCap > 0 && perUserEpsilonCap.isFinite, "per_user_epsilon_cap must be positive")
        try check(globalEpsilonCap > 0 && globalEpsilonCap.isFinite, "global_epsilon_cap must be positive")
        try check(samplingRate > 0 && samplingRate <= 1, "sampling_rate must be in (0, 1]")
        try check(
            (3...WireProtocol.maximumParticipants).contains(minimumParticipants),
            "minimum_participants must be in 3...\(WireProtocol.maximumParticipants)")
        try check(expectedDropoutRate >= 0 && expectedDropoutRate < 0.5, "expected_dropout_rate must be in [0, 0.5)")
        try check(corruptionFraction >= 0 && corruptionFraction < 0.5, "corruption_fraction must be in [0, 0.5)")
        try check(stageDeadline >= 0.05 && stageDeadline <= 86_400, "stage_deadline must be in [0.05, 86400] seconds")
        try check(roundInterval >= 0 && roundInterval <= 30 * 86_400, "round_interval must be in [0, 30 days]")
        try check((0...100_000).contains(maximumRounds), "maximum_rounds must be in 0...100000")
        try check((0...10_000).contains(evaluationEvery), "evaluation_every must be in 0...10000")
    }

    /// The model architecture.
    public func modelSpec() throws(APIValidationError) -> ModelSpec {
        if model == "mlp", let mlpHidden { return .mlp(hidden: mlpHidden) }
        do { return try ModelSpec.named(model) } catch { throw APIValidationError(error.message) }
    }
}
